"""The vectorised pass (Arrow) lets a cell skip the SQL rules only where the SQL gives the same value."""

import pyarrow as pa
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from datacenter import ingestion, storage
from datacenter.choices import FALSE_WORDS, TRUE_WORDS, FieldType
from datacenter.vectorised import Column, plain_value
from tests.datacenter.factories import (
    city_with_center,
    credit_code,
    csv_bytes,
    load,
    make_dataset,
    record,
    records,
    row,
)

pytestmark = pytest.mark.django_db

CHOICES = ["淘宝", "天猫", "Other"]
# Plain forms, near misses and what the SQL rules alone take (thousands separators, full-width digits...).
CELLS = {
    FieldType.INTEGER: ["0", "7", "-7", "007", "-0", "+5", "1,234", "１２", "9223372036854775807", "12345678901234567",
                        "99999999999999999999", " 5", "5 ", "1e3", "0x1F", "1_000", "3.0", ""],
    FieldType.DECIMAL: ["0", "0.50", "-0.50", "12.5", "-0", "-0.0", ".5", "5.", "1,234.5", "１２.５", "+1", "NaN",
                        "Infinity", "1e5", "00.1", "123456789012345678901234567890.123", " 1.5", ""],
    FieldType.DATE: ["2024-03-01", "2024-02-29", "2023-02-29", "2024-02-30", "2024-04-31", "2024-13-01", "0000-01-01",
                     "0999-12-31", "9999-12-31", "2024-3-1", "2024/03/01", "2024年3月1日", "20240301", " 2024-03-01",
                     "2024-03-01 ", "03/04/2024", "epoch", ""],
    FieldType.BOOLEAN: [*TRUE_WORDS, *FALSE_WORDS, "TRUE", "Yes", " 是", "maybe", ""],
    FieldType.ENUM: [*CHOICES, "other", " 淘宝", "淘宝 ", "京东", ""],
    FieldType.TEXT: ["温州市某某有限公司", " lead", "trail ", "\u3000全角空格", "a,b", 'say "hi"', "line\nbreak", "x",
                     ""],
}  # fmt: skip


def sql_values(ftype, raws, values):
    """(the SQL rules' value of each raw cell, PostgreSQL's reading of the pass's value text), as text."""
    sql = storage.SQL_TYPES[ftype]
    rule = ingestion.value_sql(ftype, "x.raw", CHOICES)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        cursor.execute(
            f"SELECT ({rule})::text, (x.v::{sql})::text FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY "  # noqa: S608
            "AS x(raw, v, i) ORDER BY i",
            [[r or None for r in raws], values],
        )
        return cursor.fetchall()


def assert_agrees(ftype, cells, required=False):
    ok, values = plain_value(Column(position=0, ftype=ftype, required=required, choices=CHOICES), pa.array(cells))
    plain = ok.to_pylist()
    assert None not in plain
    values = [v if p else None for v, p in zip(values.to_pylist(), plain, strict=True)]
    for cell, is_plain, (by_rule, by_pass) in zip(cells, plain, sql_values(ftype, cells, values), strict=True):
        if is_plain:
            assert by_pass == by_rule, (ftype, cell)
    return plain


@pytest.mark.parametrize("ftype", list(CELLS))
def test_a_cell_the_pass_calls_plain_gets_the_value_the_sql_rules_give(ftype):
    plain = assert_agrees(ftype, CELLS[ftype])
    assert any(plain)  # the test has cells of both kinds
    assert not all(plain)


def test_an_empty_required_cell_is_left_to_the_sql_which_names_what_is_missing():
    assert assert_agrees(FieldType.TEXT, ["", "x"], required=True) == [False, True]


def test_numbers_in_other_forms_are_left_to_the_sql():
    assert assert_agrees(FieldType.INTEGER, ["1,234", "１２", "007"]) == [False, False, False]
    assert assert_agrees(FieldType.DATE, ["2024-02-30", "2024年3月1日"]) == [False, False]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    st.sampled_from([FieldType.INTEGER, FieldType.DECIMAL, FieldType.DATE]),
    st.lists(st.text(alphabet="0123456789-.,+ 年月日/", max_size=12), min_size=1, max_size=30),
)
def test_any_cell_of_digits_and_signs_the_pass_calls_plain_reads_as_the_sql_reads_it(ftype, cells):
    assert_agrees(ftype, cells)


CODE_CHARS = ingestion.USCC_ALPHABET + "abcIOSVZ -\u3000０Ａ"


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    st.lists(
        st.one_of(
            st.builds(credit_code, st.integers(0, 10_000)),
            st.builds(
                lambda n, pos, ch: (lambda c: c[:pos] + ch + c[pos + 1 :])(credit_code(n)),
                st.integers(0, 10_000),
                st.integers(0, 17),
                st.sampled_from(CODE_CHARS),
            ),
            st.text(alphabet=CODE_CHARS, max_size=20),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_a_credit_code_the_pass_calls_plain_is_compact_and_valid_for_stdnum(codes):
    ok, _values = plain_value(
        Column(position=0, ftype=FieldType.CREDIT_CODE, required=True, choices=[]), pa.array(codes)
    )
    for code, plain in zip(codes, ok.to_pylist(), strict=True):
        assert plain == (uscc.is_valid(code) and uscc.compact(code) == code), code


def test_a_file_of_plain_and_other_rows_loads_each_row_once_with_the_right_line_numbers():
    dataset = make_dataset(city_with_center()["commerce"])
    lines = [row(i) for i in range(40)]
    lines[9] = row(9, employees='"1,234"', registered_on="2024年3月1日")  # the SQL rules' forms: line 11
    lines[19] = row(19, employees="many")  # rejected: line 21
    job = load(dataset, csv_bytes(lines))
    assert (job.status, job.rows_read, job.rows_inserted, job.rows_rejected) == ("succeeded", 40, 39, 1)
    assert list(job.errors.values_list("line", "field")) == [(21, "employees")]
    other = record(credit_code(9))
    assert (other.payload["employees"], other.payload["registered_on"]) == (1234, "2024-03-01")
    assert (record(credit_code(10)).line, other.line) == (12, 11)


def test_a_file_the_pass_reads_differently_from_copy_goes_the_sql_way():
    dataset = make_dataset(city_with_center()["commerce"])
    lines = [row(i) for i in range(20_000)]  # past the first megabyte, which the sniffing reads
    lines[15_000] = row(15_000, name="企业\x00")
    job = load(dataset, csv_bytes(lines))
    assert job.status == "failed"
    assert "Line 15002" in job.error, job.error  # PostgreSQL's COPY found the NUL and named its line
    assert records(dataset) == []


def test_a_windows_file_with_crlf_lines_loads_the_same_values_as_one_with_lf():
    units = city_with_center()
    lines = [row(i, name=f"企业 {i}") for i in range(50)]
    lf = make_dataset(units["commerce"], "lf")
    crlf = make_dataset(units["commerce"], "crlf")
    assert load(lf, csv_bytes(lines)).status == "succeeded"
    job = load(crlf, csv_bytes(lines).replace(b"\n", b"\r\n"))
    assert (job.status, job.rows_inserted, job.rows_rejected) == ("succeeded", 50, 0)
    assert [(r.key, r.payload, r.line) for r in records(crlf)] == [(r.key, r.payload, r.line) for r in records(lf)]


def test_a_quoted_value_with_a_line_break_and_a_comma_is_kept_whole():
    dataset = make_dataset(city_with_center()["commerce"])
    lines = [row(i) for i in range(5)]
    lines[2] = row(2, name='"温州,某某\n有限公司"')
    job = load(dataset, csv_bytes(lines))
    assert (job.status, job.rows_read, job.rows_inserted) == ("succeeded", 5, 5)
    assert record(credit_code(2)).payload["name"] == "温州,某某\n有限公司"
    assert record(credit_code(4)).line == 6  # lines count records, as COPY's own numbering does


def test_text_that_copys_text_format_would_read_otherwise_is_left_to_the_sql():
    cells = ["温州,某某", 'say "hi"', "back\\slash", "tab\there", "cr\rhere", "plain"]
    ok, _values = plain_value(Column(position=0, ftype=FieldType.TEXT, required=False, choices=[]), pa.array(cells))
    assert ok.to_pylist() == [True, False, False, False, False, True]
    quoted = Column(position=0, ftype=FieldType.ENUM, required=False, choices=['"A"', "B"])
    assert plain_value(quoted, pa.array(['"A"', "B"]))[0].to_pylist() == [False, True]


def test_names_with_commas_quotes_backslashes_and_tabs_load_as_sent():
    dataset = make_dataset(city_with_center()["commerce"])
    names = {1: "温州,某某公司", 2: '某"引号"公司', 3: "C:\\某公司", 4: "制表\t公司", 5: "\\N"}
    lines = [row(i) for i in range(8)]
    for i, name in names.items():
        lines[i] = row(i, name='"' + name.replace('"', '""') + '"')
    job = load(dataset, csv_bytes(lines))
    assert (job.status, job.rows_inserted) == ("succeeded", 8), job.error
    for i, name in names.items():
        assert record(credit_code(i)).payload["name"] == name
    assert record(credit_code(6)).payload["name"] == "企业6"
