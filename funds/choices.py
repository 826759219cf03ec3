from django.db import models
from django.utils.translation import gettext_lazy as _


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
