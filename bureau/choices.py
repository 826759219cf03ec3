from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    # the city (its people's government): the root of the city's tree and its jurisdiction
    CITY = "city", _("City")
    # the city's leading group for the network economy (领导小组)
    LEADING_GROUP = "leading_group", _("Leading group")
    # the leading group's office, housed in the bureau
    GROUP_OFFICE = "group_office", _("Leading group office")
    # a network economy development bureau: the city's or a county's
    BUREAU = "bureau", _("Bureau")
    # a division (处室) of a bureau
    DIVISION = "division", _("Division")
    # a public institution such as the Big Data Management and Service Center
    CENTER = "center", _("Public institution")
    # a member department of the city government
    DEPARTMENT = "department", _("Member department")
    # a division of a member department
    DEPARTMENT_DIVISION = "department_division", _("Department division")
    # a county, county-level city or district bureau (县/市/区)
    COUNTY_BUREAU = "county_bureau", _("County bureau")
    # a functional zone's bureau (开发区、产业集聚区)
    ZONE_BUREAU = "zone_bureau", _("Functional zone bureau")
    # an enterprise that takes part, such as the mobile operator's branch
    ENTERPRISE = "enterprise", _("Enterprise")
    # an industry association
    ASSOCIATION = "association", _("Industry association")


# Kinds that head a jurisdiction: an admin or bureau staff member acts within the
# nearest one above their unit (the city's staff in the city, a county's in that county).
JURISDICTION_KINDS = (UnitKind.CITY, UnitKind.COUNTY_BUREAU, UnitKind.ZONE_BUREAU)


class UnitLevel(models.TextChoices):
    # 正厅级: the municipal government's own level
    BUREAU_MAIN = "bureau_main", _("Department level (正厅级)")
    # 正县级: the bureau and the member departments
    COUNTY_MAIN = "county_main", _("County level (正县级)")
    # 副县级: the big-data center
    COUNTY_DEPUTY = "county_deputy", _("Deputy county level (副县级)")
    # 正科级: divisions and county bureaus
    SECTION_MAIN = "section_main", _("Section level (正科级)")
    # 副科级
    SECTION_DEPUTY = "section_deputy", _("Deputy section level (副科级)")
    # no administrative rank (enterprises, associations, groups)
    NONE = "none", _("No rank")


class DivisionType(models.TextChoices):
    # a division of the bureau's own (直属)
    DIRECT = "direct", _("Direct")
    # a division shared with a member department (共享)
    SHARED = "shared", _("Shared")


class TransferStatus(models.TextChoices):
    # agreed and scheduled; the person still works in the home unit
    PLANNED = "planned", _("Planned")
    # year one: works in the bureau; personnel, pay and assessment stay with the home unit
    VIRTUAL = "virtual", _("Virtual phase")
    # year two: personnel, pay and assessment move to the bureau too
    PHYSICAL = "physical", _("Physical phase")
    # the transfer is finished; the person belongs to the bureau
    COMPLETED = "completed", _("Completed")
    # called off before completion; everything stays with (or returns to) the home unit
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TRANSFER_STATUSES = (TransferStatus.PLANNED, TransferStatus.VIRTUAL, TransferStatus.PHYSICAL)
