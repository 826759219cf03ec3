"""The ingestion job on good and bad files: run here in-process, against real PostgreSQL."""

import io
import itertools
import json
import threading
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from datacenter import services
from datacenter.models import DataSet, Enterprise
from tests.datacenter.factories import (
    HEADER,
    bad_credit_code,
    city_with_center,
    credit_code,
    csv_bytes,
    load,
    make_dataset,
    record,
    records,
    row,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    units = city_with_center()
    return make_dataset(units["commerce"])


def errors_of(job):
    return list(job.errors.order_by("line", "id").values_list("line", "field", "reason"))


def assert_failed_with(job, text, line=None):
    assert job.status == "failed"
    assert text in job.error, job.error
    if line is not None:
        assert job.errors.filter(line=line).exists(), errors_of(job)
    assert len(records()) == 0


def test_merge_counts_inserted_updated_and_unchanged(dataset):
    first = load(dataset, csv_bytes([row(i) for i in range(5)]))
    assert (first.status, first.rows_read, first.rows_inserted) == ("succeeded", 5, 5)
    second = load(dataset, csv_bytes([row(0), row(1), row(2, name="改名企业"), row(3, employees=99), row(7)]))
    assert second.status == "succeeded"
    assert (second.rows_inserted, second.rows_updated, second.rows_unchanged) == (1, 2, 2)
    assert len(records()) == 6
    assert record(credit_code(2)).payload["name"] == "改名企业"
    dataset.refresh_from_db()
    assert dataset.record_count == 6


def test_records_are_typed_and_linked_to_the_enterprise_master(dataset):
    load(dataset, csv_bytes([row(1, employees=350, revenue=5000)]))
    (stored,) = records()
    assert stored.payload["employees"] == 350
    assert stored.payload["online"] is True
    assert stored.payload["registered_on"] == "2024-03-01"
    enterprise = Enterprise.objects.get(pk=credit_code(1))
    assert stored.enterprise == enterprise.pk
    assert (enterprise.name, enterprise.county, enterprise.home_unit.code) == ("企业1", "鹿城区", "lucheng")


def test_the_same_file_twice_changes_nothing(dataset):
    content = csv_bytes([row(i) for i in range(4)])
    first = load(dataset, content)
    before = [(r.key, r.updated_at, r.job) for r in records()]
    second = load(dataset, content)
    assert second.status == "succeeded"
    assert second.duplicate_of == first
    assert second.rows_inserted == second.rows_updated == 0
    assert [(r.key, r.updated_at, r.job) for r in records()] == before


def test_gb18030_with_chinese_header_labels_loads(dataset):
    header = ",".join(f["label"] for f in dataset.current_schema.fields)
    job = load(dataset, csv_bytes([row(1, name="温州鞋业有限公司")], header=header, encoding="gb18030"))
    assert (job.status, job.encoding) == ("succeeded", "GB18030")
    assert records()[0].payload["name"] == "温州鞋业有限公司"


def test_utf8_with_a_byte_order_mark_loads(dataset):
    job = load(dataset, b"\xef\xbb\xbf" + csv_bytes([row(1)]))
    assert (job.status, job.encoding, job.rows_inserted) == ("succeeded", "UTF8", 1)


def test_a_file_in_neither_encoding_is_refused(dataset):
    job = load(dataset, HEADER.encode() + b"\n" + row(1).encode() + b"\xff\xff\x80\n")
    assert_failed_with(job, "neither UTF-8 nor GB18030")


def test_a_csv_named_xlsx_is_refused(dataset):
    assert_failed_with(load(dataset, csv_bytes([row(1)]), name="data.xlsx"), "not an Excel workbook")


def test_a_workbook_named_csv_is_refused(dataset):
    assert_failed_with(load(dataset, workbook_bytes([[row(1)]]), name="data.csv"), "ZIP archive")


def test_an_empty_file_is_refused_at_upload(dataset):
    with pytest.raises(ValidationError, match="empty"):
        upload(dataset, b"")


def test_a_header_without_rows_fails(dataset):
    assert_failed_with(load(dataset, (HEADER + "\n").encode()), "no rows")


def test_a_header_that_does_not_match_the_schema_fails(dataset):
    job = load(dataset, csv_bytes([row(1)], header=HEADER.replace("county", "district")))
    assert_failed_with(job, "missing columns: county", line=1)
    assert "unknown columns: district" in job.error


def test_ragged_rows_fail_naming_the_line(dataset):
    job = load(dataset, csv_bytes([row(1), row(2) + ",extra", row(3)]))
    assert_failed_with(job, "Line 3: more values than the header has columns", line=3)


def test_short_rows_fail_naming_the_line(dataset):
    job = load(dataset, csv_bytes([row(1), "a,b", row(3)]))
    assert_failed_with(job, "Line 3: fewer values", line=3)


def test_a_quote_that_never_closes_fails(dataset):
    job = load(dataset, csv_bytes([row(1), row(2).replace("企业2", '"企业2'), row(3)]))
    assert_failed_with(job, "quoted value is never closed")


def test_a_100_mb_single_line_is_refused_without_reading_it_whole(dataset, settings):
    settings.UPLOAD_MAX_BYTES = 200 * 1024 * 1024
    chunk = b"x" * (1024 * 1024)
    stream = itertools.chain([HEADER.encode() + b"\n", credit_code(1).encode() + b","], itertools.repeat(chunk, 100))
    job = services.job_create(dataset=dataset, stream=stream, original_name="long.csv", actor=None)
    assert job.size_bytes > 100 * 1024 * 1024
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert_failed_with(job, "Line 2 is longer than", line=2)
    assert job.bytes_read < 5 * 1024 * 1024  # it stopped early


def test_an_upload_above_the_size_limit_is_refused_while_streaming(dataset, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    consumed = []

    def endless():
        for chunk in itertools.repeat(b"a" * 65536):
            consumed.append(len(chunk))
            yield chunk

    with pytest.raises(ValidationError, match="larger than"):
        services.job_create(dataset=dataset, stream=endless(), original_name="big.csv", actor=None)
    assert sum(consumed) <= 1024 * 1024 + 65536


def test_dates_in_mixed_unambiguous_formats_are_accepted(dataset):
    dates = ["2024-03-01", "2024/3/5", "2024年3月6日", "20240307", "2024.03.08", "２０２４-０３-０９"]
    job = load(dataset, csv_bytes([row(i, registered_on=d) for i, d in enumerate(dates)]))
    assert (job.status, job.rows_inserted, job.rows_rejected) == ("succeeded", 6, 0)
    got = sorted(r.payload["registered_on"] for r in records())
    assert got == ["2024-03-01", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08", "2024-03-09"]


def test_ambiguous_or_impossible_dates_are_rejected_per_row(dataset, settings):
    rows = [row(i) for i in range(40)] + [row(50, registered_on="03/04/2024"), row(51, registered_on="2024-02-30")]
    job = load(dataset, csv_bytes(rows))
    assert (job.status, job.rows_inserted, job.rows_rejected) == ("succeeded", 40, 2)
    errors = errors_of(job)
    assert [(line, field) for line, field, _r in errors] == [(42, "registered_on"), (43, "registered_on")]
    assert "unambiguous" in errors[0][2]


def test_thousands_separators_and_full_width_digits_are_read(dataset):
    job = load(dataset, csv_bytes([row(1, employees="１２３", revenue='"1,234,567.89"'), row(2, employees='"1,200"')]))
    assert job.status == "succeeded", errors_of(job)
    values = {r.key: r.payload for r in records()}
    assert values[credit_code(1)]["employees"] == 123
    assert values[credit_code(1)]["revenue"] == 1234567.89
    assert values[credit_code(2)]["employees"] == 1200


def test_ambiguous_numbers_are_rejected(dataset):
    rows = [row(i) for i in range(40)] + [row(60, employees='"1,23"'), row(61, revenue='"1.234,5"')]
    job = load(dataset, csv_bytes(rows))
    assert job.rows_rejected == 2
    assert {f for _l, f, _r in errors_of(job)} == {"employees", "revenue"}


def test_number_forms_postgresql_takes_but_a_department_never_means_are_rejected(dataset):
    # PostgreSQL's own number input reads all of these; the loader must not let it.
    odd = ["0x1F", "1_000", "1e5", "NaN", "Infinity", "+-5", "5-", "99999999999999999999"]
    rows = [row(i) for i in range(300)] + [row(500 + i, employees=v) for i, v in enumerate(odd)]
    rows += [row(600, revenue="1e3"), row(601, revenue="NaN"), row(602, revenue="1.2.3"), row(603, revenue=".")]
    job = load(dataset, csv_bytes(rows))
    assert job.status == "succeeded", job.error
    assert job.rows_rejected == len(odd) + 4, errors_of(job)
    assert {f for _l, f, _r in errors_of(job)} == {"employees", "revenue"}
    assert len(records()) == 300


def test_signs_and_bare_points_in_plain_numbers_are_read(dataset):
    job = load(dataset, csv_bytes([row(1, employees="+12", revenue=".5"), row(2, employees="-0", revenue="-3.")]))
    assert job.status == "succeeded", errors_of(job)
    values = {r.key: r.payload for r in records()}
    assert (values[credit_code(1)]["employees"], values[credit_code(1)]["revenue"]) == (12, 0.5)
    assert (values[credit_code(2)]["employees"], values[credit_code(2)]["revenue"]) == (0, -3)


def test_invalid_credit_codes_are_rejected_with_the_reason(dataset):
    rows = [row(i) for i in range(40)] + [row(70, credit_code=bad_credit_code(70))]
    job = load(dataset, csv_bytes(rows))
    assert (job.status, job.rows_rejected, job.rows_inserted) == ("succeeded", 1, 40)
    ((line, field, reason),) = errors_of(job)
    assert (line, field) == (42, "credit_code")
    assert "check character" in reason
    assert not Enterprise.objects.filter(pk=bad_credit_code(70)).exists()


def test_required_values_and_enum_values_are_checked(dataset):
    rows = [row(i) for i in range(40)] + [row(80, name=""), row(81, platform="亚马逊")]
    job = load(dataset, csv_bytes(rows))
    assert [(f, r[:10]) for _l, f, r in errors_of(job)] == [("name", "a value is"), ("platform", "not one of")]


def test_duplicate_keys_in_a_file_last_wins_and_is_reported(dataset):
    job = load(dataset, csv_bytes([row(1, name="旧名"), row(2), row(1, name="新名")]))
    assert (job.status, job.rows_inserted, job.rows_duplicate, job.rows_rejected) == ("succeeded", 2, 1, 0)
    assert record(credit_code(1)).payload["name"] == "新名"
    ((line, _field, reason),) = errors_of(job)
    assert line == 2
    assert "superseded by line 4" in reason


@pytest.mark.parametrize(
    ("first", "last", "stored_name"),
    [
        ("改过的名", "企业1", "企业1"),  # the earlier line changes the record, the last one sends it as it was
        ("企业1", "改过的名", "改过的名"),  # the earlier line as it was, the last one changes it
    ],
)
def test_a_key_sent_twice_over_stored_records_takes_its_last_line(dataset, first, last, stored_name):
    load(dataset, csv_bytes([row(1), row(2)]))
    job = load(dataset, csv_bytes([row(1, name=first), row(2), row(1, name=last)]))
    assert (job.status, job.rows_duplicate) == ("succeeded", 1), job.error
    assert record(credit_code(1)).payload["name"] == stored_name
    ((line, _field, reason),) = errors_of(job)
    assert (line, "superseded by line 4" in reason) == (2, True)


def test_a_resend_of_a_data_set_whose_fields_share_the_jobs_column_names(dataset):
    fields = [{"name": "credit_code", "type": "credit_code", "required": True}, {"name": "v0", "type": "text"},
              {"name": "ln", "type": "integer"}]  # fmt: skip
    named = make_dataset(dataset.owner_unit, "clash", fields=fields)
    header = "credit_code,v0,ln\n"
    load(named, (header + f"{credit_code(1)},甲,1\n{credit_code(2)},乙,2\n").encode())
    job = load(named, (header + f"{credit_code(1)},甲,1\n{credit_code(2)},丙,2\n").encode())
    assert (job.status, job.rows_updated, job.rows_unchanged) == ("succeeded", 1, 1), job.error


def test_a_resend_fills_in_what_the_enterprise_master_lacks_and_overwrites_nothing(dataset):
    load(dataset, csv_bytes([row(1, employees=""), row(2)]))
    Enterprise.objects.filter(pk=credit_code(2)).update(name="主数据里的名称")
    job = load(dataset, csv_bytes([row(1, employees=42), row(2, name="文件里的新名称")]))
    assert job.status == "succeeded", job.error
    assert Enterprise.objects.get(pk=credit_code(1)).employees == 42
    assert Enterprise.objects.get(pk=credit_code(2)).name == "主数据里的名称"


def test_too_many_rejected_rows_commit_nothing_but_keep_the_report(dataset):
    rows = [row(i) for i in range(10)] + [row(20 + i, credit_code="bad") for i in range(2)]
    job = load(dataset, csv_bytes(rows))
    assert_failed_with(job, "2 of 12 rows")
    assert job.errors.filter(field="credit_code").count() == 2
    assert Enterprise.objects.count() == 0


def workbook_bytes(rows_per_sheet, header=HEADER, merge=None):
    wb = Workbook()
    for i, rows in enumerate(rows_per_sheet):
        ws = wb.active if i == 0 else wb.create_sheet(f"Sheet{i + 1}")
        ws.append(header.split(","))
        for r in rows:
            ws.append(r.split(","))
        if merge and i == 0:
            ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_workbook_loads(dataset):
    job = load(dataset, workbook_bytes([[row(1), row(2)]]), name="商户.xlsx")
    assert (job.status, job.rows_inserted) == ("succeeded", 2), job.error
    assert any(r.line == 3 for r in records())


def test_a_workbook_with_several_sheets_is_refused(dataset):
    assert_failed_with(load(dataset, workbook_bytes([[row(1)], [row(2)]]), name="a.xlsx"), "2 sheets")


def test_a_workbook_with_merged_cells_is_refused(dataset):
    job = load(dataset, workbook_bytes([[row(1), row(2)]], merge="B2:B3"), name="a.xlsx")
    assert_failed_with(job, "merged cells (B2:B3)")


def test_a_zip_bomb_disguised_as_a_workbook_is_refused(dataset):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"\0" * (1024 * 1024)
            for _ in range(600):
                sheet.write(block)
    assert len(out.getvalue()) < 2 * 1024 * 1024
    assert_failed_with(load(dataset, out.getvalue(), name="bomb.xlsx"), "zip bomb")


def test_json_lines_load_and_bad_lines_are_rejected(dataset):
    good = [{"credit_code": credit_code(i), "name": f"企业{i}", "employees": 12, "online": True} for i in range(40)]
    lines = [json.dumps(g, ensure_ascii=False) for g in good] + ["{not json", json.dumps({"name": "x", "oops": 1})]
    job = load(dataset, ("\n".join(lines) + "\n").encode(), name="push.jsonl")
    assert (job.status, job.rows_inserted, job.rows_rejected) == ("succeeded", 40, 2), job.error
    by_line = {}
    for line, _field, reason in errors_of(job):
        by_line.setdefault(line, []).append(reason)
    assert by_line[41] == ["not a JSON object"]
    assert "unknown fields: oops" in by_line[42]


def test_enterprises_added_by_a_load_are_in_the_audit_history(dataset):
    from django.apps import apps

    event = apps.get_model("datacenter", "EnterpriseEvent")
    load(dataset, csv_bytes([row(1), row(2)]))
    assert sorted(event.objects.filter(pgh_label="insert").values_list("pgh_obj_id", flat=True)) == sorted(
        [credit_code(1), credit_code(2)]
    )
    services.enterprise_update(enterprise=Enterprise.objects.get(pk=credit_code(1)), industry="software", actor=None)
    assert event.objects.filter(pgh_obj_id=credit_code(1), pgh_label="update").count() == 1


def test_an_enterprise_added_after_a_load_in_the_same_transaction_is_audited_by_its_trigger(dataset):
    from django.apps import apps

    event = apps.get_model("datacenter", "EnterpriseEvent")
    load(dataset, csv_bytes([row(1)]))  # the load turns the insert trigger off for its statement only
    Enterprise.objects.create(credit_code=credit_code(2), name="后来的企业", home_unit=dataset.owner_unit)
    assert event.objects.filter(pgh_obj_id=credit_code(2), pgh_label="insert").count() == 1
    assert event.objects.filter(pgh_obj_id=credit_code(1), pgh_label="insert").count() == 1


def test_a_load_where_no_county_bureau_exists_puts_enterprises_under_the_city():
    from bureau.choices import UnitKind
    from tests.bureau.factories import UnitFactory

    city = UnitFactory(code="solo-city", kind=UnitKind.CITY)
    dept = UnitFactory(code="solo-dept", kind=UnitKind.DEPARTMENT, parent=city)
    job = load(make_dataset(dept, "solo"), csv_bytes([row(1)]))
    assert job.status == "succeeded", job.error
    assert Enterprise.objects.get().home_unit == city


def test_a_first_load_swaps_in_a_table_with_the_key_index_and_byte_order_text(dataset):
    from django.db import connection

    from datacenter import storage

    load(dataset, csv_bytes([row(1), row(2)]))
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT a.attname, c.collname FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation
            WHERE a.attrelid = to_regclass(%s) AND a.attname IN ('credit_code', 'name')""",
            [storage.table(dataset.pk)],
        )
        assert dict(cursor.fetchall()) == {"credit_code": "C", "name": "C"}
        indexes = storage.existing_indexes(cursor, dataset.pk)
        wanted = storage.wanted_indexes(dataset.pk, dataset.current_schema.fields, ["credit_code"])
        assert sorted(indexes) == sorted(wanted)
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relname LIKE %s AND relnamespace = current_schema()::regnamespace",
            [storage.LOADING_PREFIX + "%"],
        )
        assert cursor.fetchone()[0] == 0
    second = load(dataset, csv_bytes([row(2, name="改名"), row(3)]))  # into a table with rows: merged in place
    assert (second.rows_inserted, second.rows_updated, second.rows_unchanged) == (1, 1, 0)


def test_a_first_load_publishes_its_working_table_as_a_record_table_with_lines_and_provenance(dataset):
    from django.db import connection

    from datacenter import storage

    DataSet.objects.filter(pk=dataset.pk).update(reject_threshold=Decimal("0.5"))
    dataset.refresh_from_db()
    # Line 3 is rejected (reported, not published); line 4 takes the SQL rules' way (thousands separator).
    job = load(dataset, csv_bytes([row(1), row(2, credit_code="bad"), row(3, revenue='"1,234.50"'), row(4)]))
    assert (job.status, job.rows_inserted, job.rows_rejected) == ("succeeded", 3, 1), job.error
    assert errors_of(job)[0][0] == 3
    t = storage.table(dataset.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT attname, format_type(atttypid, atttypmod), attnotnull, atthasdef FROM pg_attribute
            WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped ORDER BY attname""",
            [t],
        )
        columns = {name: (sql, not_null, has_default) for name, sql, not_null, has_default in cursor.fetchall()}
        sql = f"SELECT credit_code, revenue, _line, _job, _loaded_at IS NOT NULL FROM {t} ORDER BY _line"  # noqa: S608
        cursor.execute(sql)
        published = cursor.fetchall()
    expected = {f["name"]: storage.SQL_TYPES[f["type"]] for f in dataset.current_schema.fields}
    assert {name: sql for name, (sql, _n, _d) in columns.items() if not name.startswith("_")} == expected
    assert {name: rest for name, rest in columns.items() if name.startswith("_")} == {
        "_job": ("bigint", True, False), "_line": ("integer", True, False),
        "_loaded_at": ("timestamp with time zone", True, False),
        "_updated_at": ("timestamp with time zone", True, False),
    }  # fmt: skip
    assert [(code, line, loaded_by) for code, _r, line, loaded_by, _l in published] == [
        (credit_code(1), 2, job.pk), (credit_code(3), 4, job.pk), (credit_code(4), 5, job.pk)
    ]  # fmt: skip
    assert str(published[1][1]) == "1234.50"
    later = load(dataset, csv_bytes([row(1, name="改名"), row(5)]))  # the published table takes a merge
    assert (later.rows_inserted, later.rows_updated, later.rows_unchanged) == (1, 1, 0)


@pytest.mark.django_db(transaction=True)  # each job commits, as in a worker; then its workspace is dropped
def test_a_jobs_working_tables_are_gone_after_it_succeeds_fails_or_is_refused(dataset):
    from django.db import connection

    def workspace(job):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [f"dc_load_{job.pk}"])
            return cursor.fetchone()[0]

    first = load(dataset, csv_bytes([row(1)]))
    assert (first.status, workspace(first)) == ("succeeded", 0)
    too_many = load(dataset, csv_bytes([row(2), row(3, credit_code="bad")]))
    assert (too_many.status, workspace(too_many)) == ("failed", 0)
    empty = load(dataset, csv_bytes([]))
    assert (empty.status, workspace(empty)) == ("failed", 0)


@pytest.mark.django_db(transaction=True)  # two transactions meet: the load's and another writer's
def test_a_load_waits_for_another_writer_adding_one_of_its_enterprises_and_then_only_fills_the_gaps(dataset):
    from datacenter import ingestion

    # A funds application, say, adds one of the file's enterprises and has not committed when the load merges.
    other = ingestion.autocommit_connection()
    try:
        cursor = other.cursor()
        cursor.execute("BEGIN")
        cursor.execute(
            "INSERT INTO datacenter_enterprise (credit_code, name, county, home_unit_id, industry, size_class,"
            " chain_segment, fields, created_at, updated_at)"
            " VALUES (%s, '申请人企业', '', %s, '', '', '', '{}', now(), now())",
            [credit_code(1), dataset.owner_unit_id],
        )
        commit_later = threading.Timer(0.5, cursor.execute, ["COMMIT"])
        commit_later.start()
        job = load(dataset, csv_bytes([row(1), row(2)]))
        commit_later.join()
    finally:
        other.close()
    assert job.status == "succeeded", job.error
    assert job.rows_inserted == 2
    added_by_other = Enterprise.objects.get(pk=credit_code(1))
    assert (added_by_other.name, added_by_other.county) == ("申请人企业", "鹿城区")  # kept, and filled in
    assert Enterprise.objects.get(pk=credit_code(2)).name == "企业2"


def test_a_sensitive_load_adds_its_enterprises_to_the_master_but_tells_it_nothing_about_them():
    units = city_with_center()
    secret = make_dataset(units["commerce"], "lending", sensitivity="sensitive", name="网络借贷平台")
    job = load(secret, csv_bytes([row(1, name="某借贷平台")]))
    assert job.status == "succeeded", job.error
    enterprise = Enterprise.objects.get(pk=credit_code(1))
    assert (enterprise.name, enterprise.employees, enterprise.revenue) == ("", None, None)
    public = make_dataset(units["commerce"], "stores2")
    load(public, csv_bytes([row(1, name="某网店")]))
    enterprise.refresh_from_db()
    assert enterprise.name == "某网店"
