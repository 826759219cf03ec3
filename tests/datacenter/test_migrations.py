"""The move of the records from the shared JSONB table into a typed table per data set."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from datacenter import storage

BEFORE = [("datacenter", "0005_record_lean_indexes")]
AFTER = [("datacenter", "0006_records_in_a_table_per_dataset")]


@pytest.mark.django_db(transaction=True)
def test_the_records_move_into_typed_columns_and_an_odd_value_is_left_out_not_guessed():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Unit = apps.get_model("bureau", "Unit")
    DataSet = apps.get_model("datacenter", "DataSet")
    SchemaVersion = apps.get_model("datacenter", "SchemaVersion")
    Record = apps.get_model("datacenter", "Record")
    Job = apps.get_model("datacenter", "IngestionJob")
    unit = Unit.objects.create(code="old-dept", name="旧部门", kind="department", path="/9999/")
    dataset = DataSet.objects.create(owner_unit=unit, code="old", name="旧数据集", frequency="monthly",
                                     sensitivity="internal")  # fmt: skip
    fields = [{"name": "code", "type": "text"}, {"name": "amount", "type": "decimal"}, {"name": "on", "type": "date"}]
    SchemaVersion.objects.create(dataset=dataset, version=1, fields=fields, natural_key=["code"])
    job = Job.objects.create(dataset=dataset, schema_version=SchemaVersion.objects.get(), file="x.csv",
                             original_name="x.csv", declared_format="csv", size_bytes=1, checksum="0" * 64)  # fmt: skip
    now = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
    for line, (code, payload) in enumerate([("a", {"code": "a", "amount": 1.5, "on": "2024-03-01"}),
                                            ("b", {"code": "b", "amount": "many", "on": "2024-03-02"})]):  # fmt: skip
        Record.objects.create(dataset=dataset, key=code, payload=payload, job=job, line=line + 2,
                              first_loaded_at=now, updated_at=now)  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    # ...and on to the newest migrations, as the other tests expect the database.
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT code, amount, "on", _job, _line FROM {storage.table(dataset.pk)} ORDER BY code')  # noqa: S608
        rows = cursor.fetchall()
        cursor.execute("SELECT record_count FROM datacenter_dataset WHERE id = %s", [dataset.pk])
        assert cursor.fetchone()[0] == 2
        cursor.execute("SELECT to_regclass('datacenter_record')")
        assert cursor.fetchone()[0] is None
    assert [(c, str(a) if a is not None else None, str(d), j, ln) for c, a, d, j, ln in rows] == [
        ("a", "1.5", "2024-03-01", job.pk, 2),
        ("b", None, "2024-03-02", job.pk, 3),
    ]
