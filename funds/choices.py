from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountKind(models.TextChoices):
    # a department's budget line for a year: money comes from outside the fund, so it may go negative
    SOURCE = "source", _("Contributing source")
    # the pooled fund (资金池) itself
    POOL = "pool", _("Pool")
    # a programme's budget: allocated from the pool, not yet promised
    PROGRAMME_BUDGET = "programme_budget", _("Programme budget")
    # a programme's commitments: promised to approved applications, not yet paid
    PROGRAMME_COMMITMENTS = "programme_commitments", _("Programme commitments")
    # money paid out to one enterprise under one programme
    DISBURSED = "disbursed", _("Disbursed")


class TransferKind(models.TextChoices):
    # a department pays into the pool
    CONTRIBUTION = "contribution", _("Contribution")
    # the annual plan gives pool money to a programme
    ALLOCATION = "allocation", _("Allocation")
    # an approval reserves budget for an application
    COMMITMENT = "commitment", _("Commitment")
    # a cancelled approval gives its reservation back to the budget
    RELEASE = "release", _("Release of commitment")
    # a tranche paid to an enterprise out of the commitments
    DISBURSEMENT = "disbursement", _("Disbursement")
    # money recovered from an enterprise
    CLAWBACK = "clawback", _("Clawback")


class ProgrammeStatus(models.TextChoices):
    # being set up; not open to applications
    DRAFT = "draft", pgettext_lazy("fund", "Draft")
    # published; applications accepted within its window
    OPEN = "open", pgettext_lazy("fund", "Open")
    # no more applications; running ones continue
    CLOSED = "closed", pgettext_lazy("fund", "Closed")


class ApplicationStatus(models.TextChoices):
    # being prepared by bureau staff or a department
    DRAFT = "draft", pgettext_lazy("fund", "Draft")
    # handed in; waiting for the division's first review (初审)
    SUBMITTED = "submitted", pgettext_lazy("fund", "Submitted")
    # sent back by the division for revision; may be submitted again
    RETURNED = "returned", pgettext_lazy("fund", "Returned for revision")
    # with the assigned experts for scoring
    EXPERT_REVIEW = "expert_review", pgettext_lazy("fund", "Expert review")
    # every assigned expert has scored; waiting for the bureau's decision (局务会)
    AWAITING_DECISION = "awaiting_decision", pgettext_lazy("fund", "Awaiting decision")
    # approved and committed; on public notice (公示) for five working days
    PUBLIC_NOTICE = "public_notice", pgettext_lazy("fund", "Public notice")
    # an objection was raised during the notice; waiting for it to be resolved
    SUSPENDED = "suspended", pgettext_lazy("fund", "Suspended by objection")
    # the notice passed; money may be paid in tranches
    APPROVED = "approved", pgettext_lazy("fund", "Approved")
    # paid in full; waiting for the acceptance check (验收)
    AWAITING_ACCEPTANCE = "awaiting_acceptance", pgettext_lazy("fund", "Awaiting acceptance")
    # accepted; finished
    CLOSED = "closed", pgettext_lazy("fund", "Closed")
    # turned down by the division or the bureau
    REJECTED = "rejected", pgettext_lazy("fund", "Rejected")
    # taken back by the applicant before the decision
    WITHDRAWN = "withdrawn", pgettext_lazy("fund", "Withdrawn")
    # an approval called off; what was not paid went back to the programme
    CANCELLED = "cancelled", pgettext_lazy("fund", "Cancelled")


class NotificationKind(models.TextChoices):
    # a step of an application that the receiving unit acts on next
    APPLICATION = "application", _("Fund application")
