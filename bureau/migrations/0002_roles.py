"""Create the portal's roles as groups. Their permissions are synced after every migrate (bureau.roles)."""

from django.db import migrations

ROLES = ["领导", "局工作人员", "处室工作人员", "评审专家", "部门接口", "审计", "系统管理员"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("bureau", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
