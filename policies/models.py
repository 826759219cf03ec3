"""The unified 1+X policy catalogue: policies and their versions, fields, interpretations, legacy policies."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.history import track
from core.models import TimeStampedModel

from .choices import ChainSegment, LegacyDisposition, PolicyStatus, PolicyTier, PolicyTopic


@track()
class PolicyField(TimeStampedModel):
    """A horizontal field of the network economy (电子商务, 物联网...): a list the bureau manages."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("policy field")
        verbose_name_plural = _("policy fields")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


@track(exclude=["search_vector", "rank_vector"])
class Policy(TimeStampedModel):
    """One version of a policy document in the catalogue; an amendment is a new row of the same lineage."""

    scope_unit_field = "issuing_authority"

    lineage = models.UUIDField(_("lineage"), default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="next_version",
    )
    title = models.CharField(_("title"), max_length=255)
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    issuing_authority = models.ForeignKey(
        "bureau.Unit", verbose_name=_("issuing authority"), on_delete=models.PROTECT, related_name="policies"
    )
    written_on = models.DateField(_("date written"), null=True, blank=True)
    published_on = models.DateField(_("date published"), null=True, blank=True)
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    tier = models.CharField(_("place in 1+X"), max_length=16, choices=PolicyTier.choices, default=PolicyTier.SUB)
    master = models.ForeignKey(
        "self",
        verbose_name=_("master plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_policies",
        limit_choices_to={"tier": PolicyTier.MASTER},
    )
    segments = ArrayField(
        models.CharField(max_length=16, choices=ChainSegment.choices),
        verbose_name=_("chain segments"),
        default=list,
        blank=True,
    )
    fields = models.ManyToManyField(PolicyField, verbose_name=_("fields"), blank=True, related_name="policies")
    topic = models.CharField(_("topic"), max_length=32, choices=PolicyTopic.choices, default=PolicyTopic.GENERAL)
    keywords = ArrayField(models.CharField(max_length=32), verbose_name=_("keywords"), default=list, blank=True)
    full_text = models.TextField(_("full text"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT, editable=False
    )
    # The day it stopped being in force (amended by a later version, or repealed); the coverage map reads it.
    ended_on = models.DateField(_("no longer in force from"), null=True, blank=True, editable=False)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("repealed by policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="repealed_policies",
    )
    repealing_document = models.CharField(_("repealing document"), max_length=255, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Matching reads `search_vector` (title, keywords, number and the whole text, behind a GIN index);
    # ranking reads `rank_vector`, the same weighted words of the title and keywords but only the
    # text's opening, small enough to stay in the row, so ranking thousands of hits stays fast.
    search_vector = SearchVectorField(null=True, editable=False)
    rank_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-published_on", "-pk"]
        indexes = [
            GinIndex(fields=["search_vector"], name="policy_search"),
            GinIndex(fields=["segments"], name="policy_segments"),
            models.Index(fields=["status", "effective_on"], name="policy_status_effective"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_authority", "document_number"],
                condition=~Q(document_number=""),
                name="policy_document_number_unique_per_authority",
                violation_error_message=_("This issuing authority already has a policy with this document number."),
            ),
            models.UniqueConstraint(
                fields=["lineage", "version"],
                name="policy_version_unique_in_lineage",
                violation_error_message=_("This version already exists."),
            ),
            models.CheckConstraint(
                name="policy_effective_not_before_published",
                condition=Q(effective_on__isnull=True)
                | Q(published_on__isnull=True)
                | Q(effective_on__gte=F("published_on")),
                violation_error_message=_("The effective date cannot be before the date of publication."),
            ),
            models.CheckConstraint(
                name="policy_published_not_before_written",
                condition=Q(written_on__isnull=True)
                | Q(published_on__isnull=True)
                | Q(published_on__gte=F("written_on")),
                violation_error_message=_("The date of publication cannot be before the date written."),
            ),
            models.CheckConstraint(
                name="policy_expires_after_effective",
                condition=Q(expires_on__isnull=True)
                | Q(effective_on__isnull=True)
                | Q(expires_on__gt=F("effective_on")),
                violation_error_message=_("The expiry date must be after the effective date."),
            ),
            models.CheckConstraint(
                name="policy_master_has_no_master",
                condition=Q(tier=PolicyTier.SUB) | Q(master__isnull=True),
                violation_error_message=_("The master plan is not a sub-policy of another plan."),
            ),
        ]

    def __str__(self) -> str:
        if self.document_number:
            return f"{self.title}（{self.document_number}）"
        return self.title


@track()
class PolicyStep(models.Model):
    """One step of a policy's workflow: from which status to which, by whom, when."""

    scope_unit_field = "policy__issuing_authority"

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(_("from status"), max_length=16, choices=PolicyStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, choices=PolicyStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("policy workflow step")
        verbose_name_plural = _("policy workflow steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.policy_id}: {self.from_status} -> {self.to_status}"


def attachment_path(instance: PolicyAttachment, filename: str) -> str:
    return f"policies/{instance.policy.lineage}/{uuid.uuid4().hex}/{filename}"


@track()
class PolicyAttachment(models.Model):
    """A file attached to a policy (the signed original, annex tables); always downloaded, never shown inline."""

    scope_unit_field = "policy__issuing_authority"

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


@track()
class Interpretation(TimeStampedModel):
    """An interpretation document (政策解读) that explains a policy to the public."""

    scope_unit_field = "policy__issuing_authority"

    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="interpretations"
    )
    title = models.CharField(_("title"), max_length=255)
    published_on = models.DateField(_("date published"), null=True, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("interpretation")
        verbose_name_plural = _("interpretations")
        ordering = ["-published_on", "pk"]

    def __str__(self) -> str:
        return self.title


@track()
class LegacyPolicy(TimeStampedModel):
    """A department's policy from before the catalogue, and the catalogue policy it was mapped to (梳理对接)."""

    scope_unit_field = "issuing_authority"

    title = models.CharField(_("title"), max_length=255)
    document_number = models.CharField(_("document number"), max_length=64)
    issuing_authority = models.ForeignKey(
        "bureau.Unit", verbose_name=_("issuing authority"), on_delete=models.PROTECT, related_name="legacy_policies"
    )
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    disposition = models.CharField(_("disposition"), max_length=16, choices=LegacyDisposition.choices)
    target = models.ForeignKey(
        Policy, verbose_name=_("catalogue policy"), on_delete=models.PROTECT, related_name="legacy_policies"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("legacy policy")
        verbose_name_plural = _("legacy policies")
        ordering = ["issuing_authority__sort_order", "document_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_authority", "document_number"],
                name="legacy_policy_document_number_unique_per_authority",
                violation_error_message=_("This issuing authority already has a legacy policy with this number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.document_number}）"
