"""Writes to the policy catalogue. Each function is atomic, takes the acting user (None: the system),
checks the move and the permission, and records who did what and when.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bureau import permissions
from bureau.models import Unit, User
from core.search import document_vector

from . import imports, workflows
from .choices import PUBLIC_STATUSES, LegacyDisposition, PolicyStatus, PolicyTier
from .models import Interpretation, LegacyPolicy, Policy, PolicyAttachment, PolicyField, PolicyStep

# The fields a draft's author sets; status, versions and the end of validity belong to the workflow.
POLICY_FIELDS = {
    "title", "document_number", "written_on", "published_on", "effective_on", "expires_on", "tier",
    "master", "segments", "topic", "keywords", "full_text", "issuing_authority",
}  # fmt: skip
# Attachments larger than this are refused (settings.UPLOAD_MAX_BYTES caps it further).
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def _reject_unknown(values: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")


def _check_unit(actor: User | None, action: str, model: type[Any], unit: Unit) -> None:
    if actor is not None and not permissions.may_act_in_unit(actor, action, model, unit):
        raise PermissionDenied


def _lock(policy: Policy) -> Policy:
    return Policy.objects.select_for_update().get(pk=policy.pk)


def _validate(policy: Policy) -> None:
    """The rules the issue names, as field errors, before the model's own checks."""
    errors: dict[str, list[str]] = {}
    if policy.effective_on and policy.published_on and policy.effective_on < policy.published_on:
        errors.setdefault("effective_on", []).append(_("The effective date cannot be before the date of publication."))
    if policy.published_on and policy.written_on and policy.published_on < policy.written_on:
        errors.setdefault("published_on", []).append(_("The date of publication cannot be before the date written."))
    if policy.expires_on and policy.effective_on and policy.expires_on <= policy.effective_on:
        errors.setdefault("expires_on", []).append(_("The expiry date must be after the effective date."))
    if policy.document_number:
        duplicate = Policy.objects.filter(
            issuing_authority_id=policy.issuing_authority_id, document_number=policy.document_number
        ).exclude(pk=policy.pk)
        if duplicate.exists():
            errors.setdefault("document_number", []).append(
                _("This issuing authority already has a policy with this document number.")
            )
    if policy.tier == PolicyTier.MASTER and policy.master_id is not None:
        errors.setdefault("master", []).append(_("The master plan is not a sub-policy of another plan."))
    if policy.master_id is not None and policy.master is not None and policy.master.tier != PolicyTier.MASTER:
        errors.setdefault("master", []).append(_("Choose a master plan."))
    if errors:
        raise ValidationError(errors)
    policy.full_clean(exclude=["search_vector", "lineage", "previous", "replaced_by", "created_by"])


# How much of the full text the rank vector holds (see Policy.rank_vector).
RANK_LEAD_CHARS = 60


def _index(policy: Policy) -> None:
    """Store the Chinese search vectors: title, keywords and number weigh most (A), then the text (B)."""
    head = ((policy.title, "A"), (" ".join(policy.keywords), "A"), (policy.document_number, "A"))
    Policy.objects.filter(pk=policy.pk).update(
        search_vector=document_vector(*head, (policy.full_text, "B")),
        rank_vector=document_vector(*head, (policy.full_text[:RANK_LEAD_CHARS], "B")),
    )


def _record(policy: Policy, from_status: str, to_status: str, actor: User | None, note: str = "") -> PolicyStep:
    return PolicyStep.objects.create(
        policy=policy, from_status=from_status, to_status=to_status, actor=actor, note=note[:255]
    )


def _move(policy: Policy, to_status: str, actor: User | None, note: str = "") -> None:
    """Check the move against the lifecycle and the actor's scope, then make and record it (row already locked)."""
    workflows.check_move(actor, policy.status, to_status)
    if actor is not None:
        permissions.check(actor, "change", policy)
    from_status = policy.status
    policy.status = to_status
    policy.save(update_fields=["status", "ended_on", "replaced_by", "repealing_document", "updated_at"])
    _record(policy, from_status, to_status, actor, note)


@transaction.atomic
def policy_create(
    *, actor: User | None, issuing_authority: Unit, fields: Iterable[PolicyField] = (), **values: Any
) -> Policy:
    """Register a new policy as a draft."""
    _reject_unknown(values, POLICY_FIELDS)
    _check_unit(actor, "add", Policy, issuing_authority)
    policy = Policy(issuing_authority=issuing_authority, created_by=actor, **values)
    _validate(policy)
    policy.save()
    policy.fields.set(list(fields))
    _index(policy)
    _record(policy, "", PolicyStatus.DRAFT, actor)
    return policy


@transaction.atomic
def policy_update(
    *, actor: User | None, policy: Policy, fields: Iterable[PolicyField] | None = None, **changes: Any
) -> Policy:
    """Change a draft. Text that has left the draft stage is never edited in place: amend it instead."""
    _reject_unknown(changes, POLICY_FIELDS)
    policy = _lock(policy)
    if actor is not None:
        permissions.check(actor, "change", policy)
    if policy.status != PolicyStatus.DRAFT:
        raise ValidationError(_("Only a draft can be edited; amend a published policy instead."), code="not_draft")
    if "issuing_authority" in changes:
        _check_unit(actor, "change", Policy, changes["issuing_authority"])
    for name, value in changes.items():
        setattr(policy, name, value)
    _validate(policy)
    policy.save()
    if fields is not None:
        policy.fields.set(list(fields))
    _index(policy)
    return policy


@transaction.atomic
def policy_submit(*, actor: User | None, policy: Policy) -> Policy:
    policy = _lock(policy)
    _move(policy, PolicyStatus.UNDER_REVIEW, actor)
    return policy


@transaction.atomic
def policy_return(*, actor: User | None, policy: Policy, note: str = "") -> Policy:
    """Send a policy under review back to its authors."""
    policy = _lock(policy)
    _move(policy, PolicyStatus.DRAFT, actor, note)
    return policy


@transaction.atomic
def policy_publish(*, actor: User | None, policy: Policy) -> Policy:
    """Publish a reviewed policy; publishing an amendment ends the version it amends."""
    # Lock this version and the one it amends in primary-key order.
    ids = sorted(pk for pk in (policy.pk, policy.previous_id) if pk is not None)
    locked = {p.pk: p for p in Policy.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    policy = locked[policy.pk]
    errors: dict[str, str] = {}
    if not policy.document_number:
        errors["document_number"] = _("A published policy needs its document number.")
    if not policy.published_on:
        errors["published_on"] = _("A published policy needs its date of publication.")
    if not policy.effective_on:
        errors["effective_on"] = _("A published policy needs its effective date.")
    # A sub-policy is published under its master plan, never before it (its page links the plan for everyone).
    if policy.master_id is not None and Policy.objects.get(pk=policy.master_id).status not in PUBLIC_STATUSES:
        errors["master"] = _("Its master plan has not been published yet; publish the master plan first.")
    if errors and policy.status == PolicyStatus.UNDER_REVIEW:
        raise ValidationError(errors)
    _move(policy, PolicyStatus.PUBLISHED, actor)
    if policy.previous_id is not None:
        previous = locked[policy.previous_id]
        if previous.status == PolicyStatus.PUBLISHED:
            assert policy.effective_on is not None
            previous.ended_on = policy.effective_on
            _move(previous, PolicyStatus.AMENDED, actor, _("Amended by version %(n)d") % {"n": policy.version})
    return policy


@transaction.atomic
def policy_amend(*, actor: User | None, policy: Policy, **changes: Any) -> Policy:
    """Start an amendment: a new draft version linked to the published one, which stays in force until the
    amendment is published."""
    _reject_unknown(changes, POLICY_FIELDS | {"fields"})
    old = _lock(policy)
    if actor is not None:
        permissions.check(actor, "change", old)
        if not workflows.may(actor, PolicyStatus.PUBLISHED, PolicyStatus.AMENDED):
            raise PermissionDenied
    if old.status != PolicyStatus.PUBLISHED:
        raise ValidationError(
            _("Only a published policy can be amended; this one is “%(status)s”.")
            % {"status": PolicyStatus(old.status).label},
            code="not_published",
        )
    if Policy.objects.filter(previous=old).exists():
        raise ValidationError(_("This version already has an amendment in progress."), code="amendment_exists")
    fields = changes.pop("fields", None)
    new = Policy(
        lineage=old.lineage,
        version=old.version + 1,
        previous=old,
        created_by=actor,
        **{name: getattr(old, name) for name in POLICY_FIELDS if name not in ("document_number", "published_on")},
    )
    # A new version is a new document: its own number and dates.
    new.document_number = ""
    new.published_on = None
    new.effective_on = None
    new.written_on = None
    for name, value in changes.items():
        setattr(new, name, value)
    _validate(new)
    new.save()
    new.fields.set(list(fields) if fields is not None else list(old.fields.all()))
    _index(new)
    _record(new, "", PolicyStatus.DRAFT, actor, _("Amendment of version %(n)d") % {"n": old.version})
    return new


@transaction.atomic
def policy_repeal(
    *,
    actor: User | None,
    policy: Policy,
    replaced_by: Policy | None = None,
    repealing_document: str = "",
    on: datetime.date | None = None,
) -> Policy:
    """Repeal a published policy, naming the catalogue policy or the document that repeals it."""
    repealing_document = repealing_document.strip()
    if replaced_by is None and not repealing_document:
        raise ValidationError(
            {"repealing_document": _("Name the policy or the document that repeals this one.")}, code="no_repealer"
        )
    policy = _lock(policy)
    if replaced_by is not None:
        if replaced_by.pk == policy.pk or replaced_by.lineage == policy.lineage:
            raise ValidationError({"replaced_by": _("A policy cannot be repealed by itself.")})
        if replaced_by.status != PolicyStatus.PUBLISHED:
            raise ValidationError({"replaced_by": _("The repealing policy must be published.")})
    policy.replaced_by = replaced_by
    policy.repealing_document = repealing_document
    policy.ended_on = on or timezone.localdate()
    _move(policy, PolicyStatus.REPEALED, actor)
    return policy


@transaction.atomic
def policy_expire(*, actor: User | None, policy: Policy, today: datetime.date | None = None) -> Policy:
    """Mark a published policy whose expiry date has passed as expired."""
    policy = _lock(policy)
    today = today or timezone.localdate()
    if policy.expires_on is None or policy.expires_on > today:
        raise ValidationError(_("This policy has not reached its expiry date."), code="not_expired")
    policy.ended_on = policy.expires_on
    _move(policy, PolicyStatus.EXPIRED, actor)
    return policy


@transaction.atomic
def attachment_add(*, actor: User | None, policy: Policy, upload: UploadedFile) -> PolicyAttachment:
    """Attach a file to a draft (published text, attachments included, changes only by amendment)."""
    policy = _lock(policy)
    if actor is not None:
        permissions.check(actor, "change", policy)
    if policy.status != PolicyStatus.DRAFT:
        raise ValidationError(_("Attachments can be added only to a draft."), code="not_draft")
    limit = min(ATTACHMENT_MAX_BYTES, settings.UPLOAD_MAX_BYTES)
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            {"file": _("The file is too large: at most %(mb)d MB.") % {"mb": limit // (1024 * 1024)}}, code="too_large"
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")
    name = (upload.name or "attachment").rsplit("/", 1)[-1][:200]
    attachment = PolicyAttachment(policy=policy, name=name, size=size, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def interpretation_add(
    *, actor: User | None, policy: Policy, title: str, body: str, published_on: datetime.date | None = None
) -> Interpretation:
    policy = _lock(policy)
    if actor is not None:
        permissions.check(actor, "change", policy)
    interpretation = Interpretation(policy=policy, title=title, body=body, published_on=published_on)
    interpretation.full_clean()
    interpretation.save()
    return interpretation


@transaction.atomic
def policy_field_save(*, actor: User | None, code: str, name: str, sort_order: int = 0) -> PolicyField:
    """Add a field to the managed list, or rename it."""
    if actor is not None and not actor.has_perm("policies.add_policyfield"):
        raise PermissionDenied
    field = PolicyField.objects.select_for_update().filter(code=code).first() or PolicyField(code=code)
    field.name, field.sort_order = name, sort_order
    field.full_clean()
    field.save()
    return field


@transaction.atomic
def legacy_policy_save(
    *,
    actor: User | None,
    issuing_authority: Unit,
    document_number: str,
    title: str,
    disposition: str,
    target: Policy,
    issued_on: datetime.date | None = None,
    note: str = "",
) -> tuple[LegacyPolicy, str]:
    """Record (or update) a legacy department policy and the catalogue policy it maps to.

    Answers the row and what happened: "created", "updated" or "unchanged".
    """
    _check_unit(actor, "add", LegacyPolicy, issuing_authority)
    legacy = (
        LegacyPolicy.objects.select_for_update()
        .filter(issuing_authority=issuing_authority, document_number=document_number)
        .first()
    )
    if legacy is None:
        outcome = "created"
        legacy = LegacyPolicy(issuing_authority=issuing_authority, document_number=document_number)
    else:
        before = (legacy.title, legacy.disposition, legacy.target_id, legacy.issued_on, legacy.note)
        if before == (title, disposition, target.pk, issued_on, note):
            return legacy, "unchanged"
        outcome = "updated"
    legacy.title, legacy.disposition, legacy.target = title, disposition, target
    legacy.issued_on, legacy.note = issued_on, note
    legacy.full_clean()
    legacy.save()
    return legacy, outcome


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = dc_field(default_factory=list)


def _parse_date(text: str) -> datetime.date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.datetime.strptime(text[:11].strip(), fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": text})


def _disposition(text: str) -> str:
    names = {
        **{c.value: c.value for c in LegacyDisposition},
        "并入": LegacyDisposition.MERGED, "合并": LegacyDisposition.MERGED,
        "替代": LegacyDisposition.SUPERSEDED, "被替代": LegacyDisposition.SUPERSEDED,
        "废止": LegacyDisposition.REPEALED, "被废止": LegacyDisposition.REPEALED,
    }  # fmt: skip
    value = names.get(text.strip().lower()) or names.get(text.strip())
    if value is None:
        raise ValidationError(_("Unknown disposition “%(value)s” (merged, superseded or repealed).") % {"value": text})
    return value


@transaction.atomic
def legacy_import(*, actor: User | None, filename: str, content: bytes) -> ImportReport:
    """Import legacy department policies from a CSV or XLSX file.

    A file that cannot be read raises ValidationError and imports nothing; each bad row is
    reported with its line number and reason, and the good rows are saved. Importing the
    same file again changes nothing.
    """
    if actor is not None and not actor.has_perm("policies.add_legacypolicy"):
        raise PermissionDenied
    rows = imports.read_table(filename, content)
    units = {u.code: u for u in Unit.objects.all()}
    units_by_name = {u.name: u for u in units.values()} | {u.short_name: u for u in units.values() if u.short_name}
    report = ImportReport()
    for row in rows:
        v = row.values
        try:
            unit = units.get(v["issuing_authority"]) or units_by_name.get(v["issuing_authority"])
            if unit is None:
                raise ValidationError(_("Unknown issuing authority “%(value)s”.") % {"value": v["issuing_authority"]})
            for column in imports.REQUIRED:
                if not v[column]:
                    raise ValidationError(
                        _("The column “%(column)s” is empty.") % {"column": imports.COLUMNS[column][1]}
                    )
            targets = list(Policy.objects.filter(document_number=v["target"]).exclude(status=PolicyStatus.DRAFT)[:2])
            if len(targets) != 1:
                raise ValidationError(
                    _("No single catalogue policy has the document number “%(value)s”.") % {"value": v["target"]}
                )
            with transaction.atomic():
                _legacy, outcome = legacy_policy_save(
                    actor=actor,
                    issuing_authority=unit,
                    document_number=v["document_number"],
                    title=v["title"],
                    disposition=_disposition(v["disposition"]),
                    target=targets[0],
                    issued_on=_parse_date(v.get("issued_on", "")),
                    note=v.get("note", ""),
                )
        except ValidationError as exc:
            report.rejected.append((row.line, " ".join(exc.messages)))
            continue
        except PermissionDenied:
            report.rejected.append((row.line, _("You may not record policies of this issuing authority.")))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
