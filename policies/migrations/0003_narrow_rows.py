from django.db import migrations


class Migration(migrations.Migration):
    """Keep policy rows narrow so a ranked search reads few pages and stays on the GIN index."""

    dependencies = [
        ("policies", "0002_rank_vector"),
    ]

    operations = [
        migrations.RunSQL(
            # The long text and the full search vector go out of line (TOAST) early; the small rank
            # vector (STORAGE MAIN, 0002) stays in the row. Counting and ranking thousands of hits
            # then reads few pages and no TOAST.
            "ALTER TABLE policies_policy SET (toast_tuple_target = 256);"
            # A parallel sequential scan looks cheap on this narrow table but would unpack every row's
            # full-text vector to test a match; the GIN index answers it instead.
            "ALTER TABLE policies_policy SET (parallel_workers = 0);",
            reverse_sql="ALTER TABLE policies_policy RESET (toast_tuple_target, parallel_workers);",
        ),
    ]
