"""The data center's fixed vocabularies: statuses, kinds and classifications."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import ChainSegment as SharedChainSegment


class Frequency(models.TextChoices):
    """How often the owner department delivers a data set."""

    REALTIME = "realtime", _("Real time")
    DAILY = "daily", _("Daily")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    IRREGULAR = "irregular", _("Irregular")


class Sensitivity(models.TextChoices):
    # 公开: may be published; readable by everyone whose role and unit reach it
    PUBLIC = "public", _("Public")
    # 内部: for government use; readable by everyone whose role and unit reach it
    INTERNAL = "internal", _("Internal")
    # 敏感: only the owner department, the big-data center and units it is shared with
    SENSITIVE = "sensitive", _("Sensitive")


# The words a yes/no field takes, in files and in filters (compared in lower case).
TRUE_WORDS = ("true", "t", "1", "yes", "y", "是", "对")
FALSE_WORDS = ("false", "f", "0", "no", "n", "否", "错")


class FieldType(models.TextChoices):
    """The type of one column of a data set's schema."""

    TEXT = "text", pgettext_lazy("field type", "Text")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Boolean")
    ENUM = "enum", _("Enumeration")
    CREDIT_CODE = "credit_code", _("Unified social credit code")


class EnterpriseAttribute(models.TextChoices):
    """A column of a data set may feed one attribute of the enterprise master."""

    NAME = "name", _("Enterprise name")
    COUNTY = "county", _("County")
    INDUSTRY = "industry", _("Industry")
    EMPLOYEES = "employees", _("Employees")
    REVENUE = "revenue", _("Revenue (10k CNY)")


class JobStatus(models.TextChoices):
    # waiting for a worker; the task is enqueued once the creating transaction commits
    QUEUED = "queued", _("Queued")
    # a worker is reading, validating or merging; its heartbeat shows it is alive
    RUNNING = "running", _("Running")
    # every accepted row is merged (or the file was a repeat and changed nothing)
    SUCCEEDED = "succeeded", _("Succeeded")
    # nothing was committed: a file-level error, too many rejected rows, or too many interruptions
    FAILED = "failed", _("Failed")
    # stopped by a user before it finished; nothing was committed
    CANCELLED = "cancelled", _("Cancelled")


class JobPhase(models.TextChoices):
    """Where a running job is, for the progress bar."""

    WAITING = "waiting", _("Waiting")
    READING = "reading", _("Reading the file")
    VALIDATING = "validating", _("Validating")
    MERGING = "merging", _("Merging")
    DONE = "done", _("Done")


class SourceFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    JSONL = "jsonl", _("JSON lines")


class Industry(models.TextChoices):
    """Industries of MIIT's 2011 classification of enterprise sizes (工信部联企业〔2011〕300号)."""

    AGRICULTURE = "agriculture", _("Agriculture, forestry, animal husbandry and fishery")
    MANUFACTURING = "industry", _("Industry (manufacturing, mining, utilities)")
    CONSTRUCTION = "construction", _("Construction")
    WHOLESALE = "wholesale", _("Wholesale")
    RETAIL = "retail", _("Retail")
    TRANSPORT = "transport", _("Transport")
    WAREHOUSING = "warehousing", _("Warehousing")
    POSTAL = "postal", _("Postal services")
    ACCOMMODATION = "accommodation", _("Accommodation")
    CATERING = "catering", _("Catering")
    TELECOM = "telecom", _("Information transmission")
    SOFTWARE = "software", _("Software and information technology services")
    PROPERTY_MANAGEMENT = "property_management", _("Property management")
    LEASING = "leasing", _("Leasing and business services")
    OTHER = "other", _("Other industries")


# How departments' files name the industries (the sections of GB/T 4754, 国民经济行业分类, as the 2011
# classification groups them): a file may carry these or the codes above.
INDUSTRY_NAMES: dict[str, tuple[str, ...]] = {
    Industry.AGRICULTURE: ("农林牧渔业", "农业", "林业", "畜牧业", "渔业"),
    Industry.MANUFACTURING: ("工业", "制造业", "采矿业", "电力、热力、燃气及水生产和供应业"),
    Industry.CONSTRUCTION: ("建筑业",),
    Industry.WHOLESALE: ("批发业",),
    Industry.RETAIL: ("零售业",),
    Industry.TRANSPORT: ("交通运输业",),
    Industry.WAREHOUSING: ("仓储业",),
    Industry.POSTAL: ("邮政业",),
    Industry.ACCOMMODATION: ("住宿业",),
    Industry.CATERING: ("餐饮业",),
    Industry.TELECOM: ("信息传输业",),
    Industry.SOFTWARE: ("软件和信息技术服务业", "软件业"),
    Industry.PROPERTY_MANAGEMENT: ("物业管理",),
    Industry.LEASING: ("租赁和商务服务业",),
    Industry.OTHER: ("其他未列明行业",),
}


class SizeClass(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


# The value chain is shared vocabulary: core.choices.ChainSegment.
ChainSegment = SharedChainSegment


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    COUNT = "count", _("Count")
    AVG = "avg", _("Average")
