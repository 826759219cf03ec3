# ruff: noqa: S608 - table names from integer ids, column names checked by the schema
"""Records move from the shared JSONB table into one typed table per data set (datacenter.storage)."""

from django.db import migrations

CASTS = {"integer": "bigint", "decimal": "numeric", "date": "date", "boolean": "boolean"}


def move_records(apps, schema_editor):
    from datacenter import storage

    DataSet = apps.get_model("datacenter", "DataSet")
    with schema_editor.connection.cursor() as cursor:
        for dataset in DataSet.objects.order_by("pk"):
            schema = dataset.schema_versions.order_by("-version").first()
            if schema is None:
                continue
            storage.drop_table(cursor, dataset.pk)
            storage.ensure_table(cursor, dataset.pk, schema.fields, list(schema.natural_key))
            cols, values = [], []
            for f in schema.fields:
                text = f"payload->>'{f['name']}'"
                cast = CASTS.get(f["type"])
                cols.append(storage.ident(f["name"]))
                # A value the old table held in another form than the schema's type is left out, not guessed.
                values.append(
                    f"CASE WHEN pg_input_is_valid({text}, '{cast}') THEN ({text})::{cast} END" if cast else text
                )
            cursor.execute(
                f"INSERT INTO {storage.table(dataset.pk)} ({', '.join(cols)}, _job, _line, _loaded_at, _updated_at) "
                f"SELECT {', '.join(values)}, job_id, line, first_loaded_at, updated_at FROM datacenter_record "
                "WHERE dataset_id = %s ON CONFLICT DO NOTHING",
                [dataset.pk],
            )
            cursor.execute(f"SELECT count(*) FROM {storage.table(dataset.pk)}")
            DataSet.objects.filter(pk=dataset.pk).update(record_count=cursor.fetchone()[0])


def drop_tables(apps, schema_editor):
    from datacenter import storage

    DataSet = apps.get_model("datacenter", "DataSet")
    with schema_editor.connection.cursor() as cursor:
        for pk in DataSet.objects.values_list("pk", flat=True):
            storage.drop_table(cursor, pk)


class Migration(migrations.Migration):
    dependencies = [
        ("datacenter", "0005_record_lean_indexes"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="dataset",
            options={
                "ordering": ["code"],
                "permissions": [("view_record", "Can view the records of data sets")],
                "verbose_name": "data set",
                "verbose_name_plural": "data sets",
            },
        ),
        # Going back leaves the old table empty: the records stay in the per-data-set tables until dropped.
        migrations.RunPython(move_records, drop_tables, elidable=False),
        migrations.DeleteModel(name="Record"),
    ]
