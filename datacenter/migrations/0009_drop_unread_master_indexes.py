"""Drop three indexes of the enterprise master and its history that no query reads.

Every load that adds enterprises writes each of them once per enterprise (0.2 s of a first load of
100,000 enterprises, docs/benchmarks.md):
- the credit code's pattern index, which Django adds beside a text primary key for LIKE 'prefix%'; codes
  are looked up whole (the primary key serves that) and searched by name;
- on the history table, the same pattern index of the enterprise's code, and the index of the copied
  responsible-bureau column: history is read by enterprise and by context, never by bureau.
"""

from django.db import migrations

INDEXES = {
    "datacenter_enterprise_credit_code_fda6bdac_like": ("datacenter_enterprise (credit_code varchar_pattern_ops)"),
    "datacenter_enterpriseevent_pgh_obj_id_d1f1233e_like": (
        "datacenter_enterpriseevent (pgh_obj_id varchar_pattern_ops)"
    ),
    "datacenter_enterpriseevent_home_unit_id_e9d302df": "datacenter_enterpriseevent (home_unit_id)",
}


class Migration(migrations.Migration):
    dependencies = [("datacenter", "0008_enterprise_insert_trigger_set_based")]

    operations = [
        migrations.RunSQL(
            sql=[f"DROP INDEX IF EXISTS {name}" for name in INDEXES],
            reverse_sql=[f"CREATE INDEX IF NOT EXISTS {name} ON {on}" for name, on in INDEXES.items()],
        )
    ]
