"""The roles of the portal as Django groups, and the model permissions each carries.

Groups are created by a data migration; their permissions are synced from the table
below after every migrate, since permissions only exist once all apps have migrated.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEADER = "领导", _("Leader")
    BUREAU_STAFF = "局工作人员", _("Bureau staff")
    DIVISION_STAFF = "处室工作人员", _("Division staff")
    EXPERT = "评审专家", _("Expert reviewer")
    API_CLIENT = "部门接口", _("Department API client")
    AUDITOR = "审计", _("Auditor")
    ADMIN = "系统管理员", _("Administrator")


# The business apps whose records leaders and auditors read.
BUSINESS_APPS = ("bureau", "policies", "funds", "datacenter", "meetings")

# The joint meeting's working permissions for the divisions that take part in it; which
# meeting and which step is decided by the division's part in it (meetings.permissions).
MEETING_WORK = ["meetings.view_*"] + [
    f"meetings.{codename}"
    for codename in (
        "add_meeting", "change_meeting", "add_agendaitem", "add_agendaattachment", "add_attendance",
        "change_attendance", "add_minutes", "change_minutes", "add_itemsummary", "change_itemsummary",
        "add_minutescomment", "change_actionitem", "add_progresspost", "add_brief",
    )
]  # fmt: skip

# Role -> permission specs: "app.codename", or "app.view_*" for every view permission of an app.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.LEADER: [f"{app}.view_*" for app in BUSINESS_APPS],
    Role.BUREAU_STAFF: ["bureau.view_*", "bureau.add_unit", "bureau.change_unit", *MEETING_WORK],
    Role.DIVISION_STAFF: ["bureau.view_unit", *MEETING_WORK],
    Role.EXPERT: [],
    Role.API_CLIENT: ["bureau.view_unit", *MEETING_WORK],
    Role.AUDITOR: [f"{app}.view_*" for app in BUSINESS_APPS] + ["pghistory.view_events"],
    Role.ADMIN: [f"{app}.*" for app in BUSINESS_APPS] + ["pghistory.view_events", "authtoken.*"],
}


def _resolve(spec: str, perms: list[Any]) -> list[Any]:
    app_label, _dot, codename = spec.partition(".")
    found = [p for p in perms if p.content_type.app_label == app_label]
    if codename == "*":
        return found
    if codename.endswith("*"):
        return [p for p in found if p.codename.startswith(codename[:-1])]
    return [p for p in found if p.codename == codename]


def sync_role_permissions(**_kwargs: Any) -> None:
    """Make every role group hold exactly the permissions the table gives it."""
    from django.contrib.auth.models import Group, Permission

    perms = list(Permission.objects.select_related("content_type"))
    for role, specs in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = {p.pk for spec in specs for p in _resolve(spec, perms)}
        group.permissions.set(wanted)
