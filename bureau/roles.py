"""The roles of the portal as Django groups, and the model permissions each carries.

Groups are created by a data migration; their permissions are synced from the tables
after every migrate, since permissions only exist once all apps have migrated. This
module holds the organisation's grants; every other app states its own in
`<app>/roles.py` as `PERMISSIONS: dict[Role, list[str]]`, found by app name, so the
organisation never imports the apps that build on it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .app_modules import app_modules


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

ORGANISATION_MODELS = ("unit", "person", "post", "appointment", "transfer")
# The organisation chart: who holds which post is no secret to anyone signed in.
ORGANISATION_READ = [
    "bureau.view_unit",
    "bureau.view_post",
    "bureau.view_appointment",
    # a unit's own notices (the selectors keep each unit to its own)
    "bureau.view_notification",
]

# The data center: departments read and load their own data sets; bureau staff read all in their
# jurisdiction, and those of the big-data center manage the catalogue (datacenter.services checks the center).
DATACENTER_DEPARTMENT = [
    "datacenter.view_dataset", "datacenter.view_schemaversion", "datacenter.view_record",
    "datacenter.view_ingestionjob", "datacenter.add_ingestionjob", "datacenter.change_ingestionjob",
    "datacenter.view_joberror", "datacenter.view_indicator", "datacenter.view_indicatorvalue",
]  # fmt: skip
DATACENTER_STAFF = [
    "datacenter.view_*", "datacenter.add_dataset", "datacenter.change_dataset", "datacenter.add_schemaversion",
    "datacenter.add_ingestionjob", "datacenter.change_ingestionjob", "datacenter.add_indicator",
    "datacenter.change_indicator", "datacenter.change_enterprise",
]  # fmt: skip

# Role -> permission specs: "app.codename", or "app.view_*" for every view permission of an app.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.LEADER: [f"{app}.view_*" for app in BUSINESS_APPS],
    Role.BUREAU_STAFF: [
        "bureau.view_*",
        *(f"bureau.{verb}_{model}" for verb in ("add", "change") for model in ORGANISATION_MODELS),
        *DATACENTER_STAFF,
    ],
    Role.DIVISION_STAFF: [*ORGANISATION_READ, "bureau.view_person", "bureau.view_transfer", *DATACENTER_DEPARTMENT],
    Role.EXPERT: ORGANISATION_READ,
    Role.API_CLIENT: [*ORGANISATION_READ, *DATACENTER_DEPARTMENT],
    Role.AUDITOR: [f"{app}.view_*" for app in BUSINESS_APPS] + ["pghistory.view_events"],
    Role.ADMIN: [f"{app}.*" for app in BUSINESS_APPS] + ["pghistory.view_events"],
}


# Department API tokens are the administrators' alone: the "view_*" grants of other roles leave them out.
ADMIN_ONLY_PERMISSIONS = frozenset(f"{verb}_apitoken" for verb in ("view", "add", "change", "delete"))


def _resolve(spec: str, perms: list[Any]) -> list[Any]:
    app_label, _dot, codename = spec.partition(".")
    found = [p for p in perms if p.content_type.app_label == app_label]
    if codename == "*":
        return found
    if codename.endswith("*"):
        return [p for p in found if p.codename.startswith(codename[:-1])]
    return [p for p in found if p.codename == codename]


def all_role_permissions() -> dict[str, list[str]]:
    """This module's table plus every app's `roles.PERMISSIONS`."""
    table = {role: list(specs) for role, specs in ROLE_PERMISSIONS.items()}
    for config, module in app_modules("roles"):
        if config.name == "bureau":
            continue
        for role, specs in getattr(module, "PERMISSIONS", {}).items():
            table.setdefault(role, []).extend(specs)
    return table


def sync_role_permissions(**_kwargs: Any) -> None:
    """Make every role group hold exactly the permissions the tables give it."""
    from django.contrib.auth.models import Group, Permission

    perms = list(Permission.objects.select_related("content_type"))
    for role, specs in all_role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = {
            p.pk
            for spec in specs
            for p in _resolve(spec, perms)
            if role == Role.ADMIN or not (p.content_type.app_label == "bureau" and p.codename in ADMIN_ONLY_PERMISSIONS)
        }
        group.permissions.set(wanted)
