"""Catalogue services: schemas, versions, sizes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from datacenter import services, sizes, storage
from datacenter.models import Enterprise
from tests.datacenter.factories import city_with_center, credit_code, csv_bytes, load, make_dataset, record, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    return make_dataset(city_with_center()["commerce"])


def test_a_schema_change_is_a_new_version_and_an_unchanged_one_is_not(dataset):
    first = dataset.current_schema
    same = services.schema_change(dataset=dataset, fields=first.fields, natural_key=list(first.natural_key), actor=None)
    assert same == first
    fields = [*first.fields, {"name": "phone", "type": "text"}]
    second = services.schema_change(dataset=dataset, fields=fields, natural_key=["credit_code"], actor=None)
    assert (second.version, second.field_names()[-1]) == (2, "phone")


def test_loads_use_the_schema_current_when_they_were_queued(dataset):
    job = load(dataset, csv_bytes([row(1)]))
    fields = [f for f in dataset.current_schema.fields if f["name"] != "online"]
    services.schema_change(dataset=dataset, fields=fields, natural_key=["credit_code"], actor=None)
    assert job.schema_version.version == 1
    header = ",".join(f["name"] for f in fields)
    second = load(dataset, (header + "\n" + ",".join(row(2).split(",")[:6] + row(2).split(",")[7:]) + "\n").encode())
    assert (second.status, second.schema_version.version) == ("succeeded", 2)


@pytest.mark.parametrize(
    ("fields", "key", "message"),
    [
        ([{"name": "Bad Name", "type": "text"}], ["x"], "not a field name"),
        ([{"name": "a", "type": "colour"}], ["a"], "unknown type"),
        ([{"name": "a", "type": "enum"}], ["a"], "needs its values"),
        ([{"name": "a", "type": "text"}], ["b"], "not in the schema"),
        ([{"name": "a", "type": "text"}, {"name": "a", "type": "text"}], ["a"], "appears twice"),
        ([{"name": "a", "type": "text"}], [], "natural key"),
        ([{"name": "page", "type": "text"}], ["page"], "reserved for the pages and the API"),
    ],
)
def test_bad_schemas_are_refused_with_the_reason(dataset, fields, key, message):
    with pytest.raises(ValidationError, match=message):
        services.schema_change(dataset=dataset, fields=fields, natural_key=key, actor=None)


def test_size_classes_follow_miit_2011():
    assert sizes.classify("industry", 1500, Decimal(50000)) == "large"
    assert sizes.classify("industry", 500, Decimal(3000)) == "medium"
    assert sizes.classify("industry", 50, Decimal(500)) == "small"
    assert sizes.classify("industry", 15, Decimal(5000)) == "micro"
    assert sizes.classify("software", 150, Decimal(2000)) == "medium"
    assert sizes.classify("retail", 12, Decimal(150)) == "small"
    assert sizes.classify("other", 120, None) == "medium"
    assert sizes.classify("software", None, Decimal(10)) == ""
    assert sizes.classify("", 10, Decimal(10)) == ""


def test_the_sql_size_class_agrees_with_python_on_every_rule():
    from django.db import connection

    cases = [(ind, x, y) for ind in sizes.RULES for x in (None, 0, 9, 10, 99, 100, 350, 1500, 3000)
             for y in (None, 0, 49, 50, 150, 999, 1000, 4000, 25000, 200000)]  # fmt: skip
    with connection.cursor() as cursor:
        expr = sizes.classify_sql("i", "x", "y")
        table = "unnest(%s::text[], %s::int[], %s::numeric[]) WITH ORDINALITY AS t(i, x, y, n)"
        cursor.execute(
            f"SELECT {expr} FROM {table} ORDER BY n",  # noqa: S608 - a constant expression
            [[c[0] for c in cases], [c[1] for c in cases], [c[2] for c in cases]],
        )
        got = [r[0] for r in cursor.fetchall()]
    assert got == [sizes.classify(*c) for c in cases]


def test_a_load_classifies_enterprises_by_size(dataset):
    fields = [*dataset.current_schema.fields, {"name": "industry", "type": "text", "maps_to": "industry"}]
    services.schema_change(dataset=dataset, fields=fields, natural_key=["credit_code"], actor=None)
    header = ",".join(f["name"] for f in fields)
    load(dataset, (header + "\n" + row(1, employees=150, revenue=2000) + ",software\n").encode())
    assert Enterprise.objects.get(pk=credit_code(1)).size_class == "medium"


def test_a_load_reads_the_industry_by_its_code_or_its_chinese_name(dataset):
    fields = [*dataset.current_schema.fields, {"name": "industry", "type": "text", "maps_to": "industry"}]
    services.schema_change(dataset=dataset, fields=fields, natural_key=["credit_code"], actor=None)
    header = ",".join(f["name"] for f in fields)
    lines = [row(1) + ",software", row(2) + ",制造业", row(3) + ",软件和信息技术服务业", row(4) + ",网店"]
    load(dataset, (header + "\n" + "\n".join(lines) + "\n").encode())
    industries = dict(Enterprise.objects.values_list("credit_code", "industry"))
    assert [industries[credit_code(i)] for i in (1, 2, 3, 4)] == ["software", "industry", "software", ""]


def test_a_schema_change_adds_columns_and_keeps_the_values_of_a_field_whose_type_changed(dataset):
    load(dataset, csv_bytes([row(1, employees=350)]))
    fields = [{**f, "type": "text"} if f["name"] == "employees" else f for f in dataset.current_schema.fields]
    fields.append({"name": "phone", "type": "text"})
    services.schema_change(dataset=dataset, fields=fields, natural_key=["credit_code"], actor=None)
    with connection.cursor() as cursor:
        columns = storage.columns(cursor, dataset.pk)
        assert (columns["employees"], columns["phone"]) == ("text", "text")
        cursor.execute(f"SELECT _employees_bigint, employees FROM {storage.table(dataset.pk)}")  # noqa: S608
        assert cursor.fetchall() == [(350, None)]
    header = ",".join(f["name"] for f in fields)
    job = load(dataset, (header + "\n" + row(2, employees="三百") + ",0577-1234\n").encode())
    assert job.status == "succeeded", job.error
    assert record(credit_code(2)).payload["employees"] == "三百"


def test_a_natural_key_the_loaded_records_break_is_refused_and_changes_nothing(dataset):
    load(dataset, csv_bytes([row(1, county="鹿城区"), row(2, county="鹿城区")]))
    fields = dataset.current_schema.fields
    with pytest.raises(ValidationError, match="more than once"):
        services.schema_change(dataset=dataset, fields=fields, natural_key=["county"], actor=None)
    assert dataset.current_schema.natural_key == ["credit_code"]
    second = load(dataset, csv_bytes([row(1, name="新名")]))
    assert (second.status, second.rows_updated) == ("succeeded", 1)
