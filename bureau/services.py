"""Writes to the organisation. Every function is atomic, takes the acting user, and checks permission.

`actor=None` means the system itself (migrations, seed data, scheduled jobs).
"""

from __future__ import annotations

import calendar
import datetime
import math
import secrets
import uuid
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Model, Q, QuerySet, Value
from django.db.models.functions import Concat, Greatest, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import permissions, selectors, workflows
from .choices import OPEN_TRANSFER_STATUSES, TransferStatus, UnitKind, UnitLevel
from .models import ApiToken, Appointment, Person, Post, Transfer, TransferStep, Unit, User
from .roles import Role

UNIT_FIELDS = {
    "code", "name", "short_name", "kind", "level", "division_type", "headcount_min", "headcount_max",
    "sort_order", "is_active", "established_on", "dissolved_on",
}  # fmt: skip


def _authorise_unit_write(actor: User | None, action: str, parent: Unit | None) -> None:
    if actor is None:
        return
    if parent is None:
        # A new root (a city) is an administrator-wide act: only a superuser makes one.
        if not actor.is_superuser:
            raise PermissionDenied
        return
    if not permissions.may_act_in_unit(actor, action, Unit, parent):
        raise PermissionDenied


def _full_clean(unit: Unit) -> None:
    unit.full_clean(exclude=["path", "depth", "parent"])


@transaction.atomic
def unit_create(*, actor: User | None, parent: Unit | None = None, **fields: Any) -> Unit:
    unknown = set(fields) - UNIT_FIELDS
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
    _authorise_unit_write(actor, "add", parent)
    unit = Unit(parent=parent, **fields)
    _full_clean(unit)
    # The path holds the unit's own key, so take the key first: one INSERT, one history event.
    unit.pk = _next_unit_id()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(force_insert=True)
    return unit


def _next_unit_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Unit._meta.db_table])
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


@transaction.atomic
def unit_update(*, actor: User | None, unit: Unit, **changes: Any) -> Unit:
    """Change a unit's fields; a new `parent` moves it with its whole subtree."""
    unknown = set(changes) - UNIT_FIELDS - {"parent"}
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if actor is not None and not permissions.can(actor, "change", unit):
        raise PermissionDenied
    new_parent = changes.pop("parent", unit.parent)
    for field, value in changes.items():
        setattr(unit, field, value)
    _full_clean(unit)
    if (new_parent.pk if new_parent else None) != unit.parent_id:
        _move(actor, unit, new_parent)
    unit.save()
    return unit


def _move(actor: User | None, unit: Unit, new_parent: Unit | None) -> None:
    if new_parent is not None:
        new_parent = Unit.objects.select_for_update().get(pk=new_parent.pk)
        if new_parent.path.startswith(unit.path):
            raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its own sub-units.")})
    _authorise_unit_write(actor, "change", new_parent)
    old_path, old_depth = unit.path, unit.depth
    new_path = f"{new_parent.path if new_parent else '/'}{unit.pk}/"
    new_depth = new_parent.depth + 1 if new_parent else 0
    # One statement rewrites the whole subtree's paths; the rows were locked by the caller's lock on `unit`
    # and by this UPDATE itself.
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") - old_depth + new_depth,
    )
    unit.parent = new_parent
    unit.path, unit.depth = new_path, new_depth


# --- people, posts and appointments ---


def _check_in_unit(actor: User | None, action: str, model: type[Model], unit: Unit) -> None:
    if actor is not None and not permissions.may_act_in_unit(actor, action, model, unit):
        raise PermissionDenied


def _check_object(actor: User | None, action: str, obj: Model) -> None:
    if actor is not None:
        permissions.check(actor, action, obj)


PERSON_FIELDS = {"name", "home_unit", "title", "phone", "email", "user", "notes"}


@transaction.atomic
def person_create(*, actor: User | None, name: str, home_unit: Unit, **fields: Any) -> Person:
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    _check_in_unit(actor, "add", Person, home_unit)
    person = Person(name=name, home_unit=home_unit, **fields)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def person_update(*, actor: User | None, person: Person, **changes: Any) -> Person:
    unknown = set(changes) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_object(actor, "change", person)
    if "home_unit" in changes and changes["home_unit"] != person.home_unit:
        _check_in_unit(actor, "change", Person, changes["home_unit"])
    for name, value in changes.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def post_create(
    *,
    actor: User | None,
    unit: Unit,
    title: str,
    max_holders: int | None = 1,
    is_leadership: bool = False,
    sort_order: int = 0,
) -> Post:
    _check_in_unit(actor, "add", Post, unit)
    post = Post(unit=unit, title=title, max_holders=max_holders, is_leadership=is_leadership, sort_order=sort_order)
    post.full_clean()
    post.save()
    return post


def _overlapping(
    post: Post, start: datetime.date, end: datetime.date | None, exclude_pk: int | None = None
) -> QuerySet[Appointment]:
    overlapping = post.appointments.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    if end is not None:
        overlapping = overlapping.filter(start_date__lte=end)
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    return overlapping


@transaction.atomic
def appointment_create(
    *,
    actor: User | None,
    person: Person,
    post: Post,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    is_concurrent: bool = False,
    on_behalf_of: Unit | None = None,
    note: str = "",
) -> Appointment:
    """Appoint a person to a post. A post's holders never exceed its maximum on any day."""
    # Lock the post: two appointments to one single-holder post must not both see it free.
    post = Post.objects.select_for_update().select_related("unit").get(pk=post.pk)
    _check_in_unit(actor, "add", Appointment, post.unit)
    appointment = Appointment(
        person=person, post=post, start_date=start_date, end_date=end_date,
        is_concurrent=is_concurrent, on_behalf_of=on_behalf_of, note=note,
    )  # fmt: skip
    appointment.full_clean()
    overlapping = _overlapping(post, start_date, end_date)
    if overlapping.filter(person=person).exists():
        raise ValidationError(_("%(person)s already holds this post in that period.") % {"person": person})
    if post.max_holders is not None and _peak_holders(overlapping, start_date, end_date) + 1 > post.max_holders:
        raise ValidationError(
            {"post": _("This post already has its %(n)d holder(s) in that period.") % {"n": post.max_holders}}
        )
    appointment.save()
    return appointment


def _peak_holders(overlapping: QuerySet[Appointment], start: datetime.date, end: datetime.date | None) -> int:
    """The most holders on any single day of [start, end] among the overlapping appointments."""
    periods = list(overlapping.values_list("start_date", "end_date"))
    if not periods:
        return 0
    days = {max(s, start) for s, _e in periods}
    return max(
        sum(1 for s, e in periods if s <= day and (e is None or e >= day)) for day in days if end is None or day <= end
    )


@transaction.atomic
def appointment_end(*, actor: User | None, appointment: Appointment, end_date: datetime.date) -> Appointment:
    """End an appointment on `end_date` (the last day held). The row stays, so the history does."""
    appointment = Appointment.objects.select_for_update().select_related("post__unit").get(pk=appointment.pk)
    _check_object(actor, "change", appointment)
    if appointment.end_date is not None and appointment.end_date < end_date:
        raise ValidationError(
            {"end_date": _("This appointment already ended on %(day)s.") % {"day": appointment.end_date}}
        )
    appointment.end_date = end_date
    appointment.full_clean()
    appointment.save(update_fields=["end_date", "updated_at"])
    return appointment


# --- staff transfers (划转) ---


def _check_quota(to_unit: Unit, day: datetime.date, arriving: int, *, actor: User | None, override_reason: str) -> None:
    """Refuse a transfer that would put `to_unit`'s quota holder over its maximum, unless an admin overrides."""
    units_by_id = {u.pk: u for u in Unit.objects.all()}
    owner = selectors.quota_owner(units_by_id[to_unit.pk], units_by_id)
    if owner is None or owner.headcount_max is None:
        return
    used = selectors.headcount_used(day, units_by_id).get(owner.pk, 0)
    promised = selectors.incoming_open_transfers(selectors.quota_units(owner, units_by_id), day)
    if used + promised + arriving <= owner.headcount_max:
        return
    if override_reason.strip():
        if actor is None or permissions.may_override_quota(actor):
            return
        raise PermissionDenied(_("Only an administrator may exceed a headcount quota."))
    raise ValidationError(
        _(
            "%(unit)s has a headcount quota of %(max)d; %(used)d are on it and %(promised)d more are "
            "being transferred in, so %(arriving)d more would exceed it. An administrator may override "
            "with a recorded reason."
        )
        % {"unit": owner, "max": owner.headcount_max, "used": used, "promised": promised, "arriving": arriving}
    )


def _record_step(
    transfer: Transfer, from_status: str, to_status: str, day: datetime.date, actor: User | None, note: str
) -> None:
    TransferStep.objects.create(
        transfer=transfer, from_status=from_status, to_status=to_status, effective_date=day, actor=actor, note=note
    )


def _authorise_move(actor: User | None, transfer: Transfer, to_status: str) -> None:
    roles = workflows.allowed_roles(transfer.status, to_status)
    if roles is None:
        raise ValidationError(
            _("A transfer that is %(from)s cannot become %(to)s.")
            % {"from": TransferStatus(transfer.status).label, "to": TransferStatus(to_status).label}
        )
    if actor is None:
        return
    if not (actor.is_superuser or permissions.has_role(actor, *roles)):
        raise PermissionDenied
    permissions.check(actor, "change", transfer)


@transaction.atomic
def transfer_plan(
    *,
    actor: User | None,
    person: Person,
    to_unit: Unit,
    planned_on: datetime.date,
    reason: str = "",
    quota_override_reason: str = "",
) -> Transfer:
    """Plan the transfer of one person into `to_unit`; the actor acts for both the unit they leave and `to_unit`."""
    _check_in_unit(actor, "add", Transfer, to_unit)
    _check_quota(to_unit, planned_on, 1, actor=actor, override_reason=quota_override_reason)
    return _plan_one(actor, person, to_unit, planned_on, reason, quota_override_reason, batch=None)


@transaction.atomic
def transfer_plan_division(
    *,
    actor: User | None,
    division: Unit,
    to_unit: Unit,
    planned_on: datetime.date,
    reason: str = "",
    quota_override_reason: str = "",
) -> list[Transfer]:
    """Plan the transfer of everyone who holds a full-time post in `division` on `planned_on`, as one batch.

    The actor acts for the division the people leave as well as for the unit receiving them; each person is
    checked again on their own (`_plan_one`).
    """
    _check_in_unit(actor, "add", Transfer, to_unit)
    _check_in_unit(actor, "add", Transfer, division)
    held = Appointment.objects.filter(selectors.appointments_on(planned_on), post__unit=division, is_concurrent=False)
    people = list(Person.objects.filter(pk__in=held.values("person")).order_by("pk"))
    if not people:
        raise ValidationError(_("Nobody holds a full-time post in %(unit)s on that date.") % {"unit": division})
    # The batch is checked against the quota as a whole, once.
    _check_quota(to_unit, planned_on, len(people), actor=actor, override_reason=quota_override_reason)
    batch = uuid.uuid4()
    return [
        _plan_one(actor, person, to_unit, planned_on, reason, quota_override_reason, batch=batch) for person in people
    ]


def _plan_one(
    actor: User | None,
    person: Person,
    to_unit: Unit,
    planned_on: datetime.date,
    reason: str,
    quota_override_reason: str,
    batch: uuid.UUID | None,
) -> Transfer:
    person = Person.objects.select_for_update().select_related("home_unit").get(pk=person.pk)
    from_unit = selectors.placement_on(person, planned_on).paid_by
    # The people moved are the actor's to move too: they act for the unit the person leaves (the one paying
    # them on the planned date), not only for the unit receiving them. Not the person's home unit, which a
    # completed transfer leaves as it was: a county moves on the people it took in from the city.
    if actor is not None and not permissions.may_act_in_unit(actor, "add", Transfer, from_unit):
        raise PermissionDenied
    if person.transfers.filter(status__in=OPEN_TRANSFER_STATUSES).exists():
        raise ValidationError(_("%(person)s is already in a transfer that is not finished.") % {"person": person})
    if from_unit == to_unit:
        raise ValidationError(
            {"to_unit": _("%(person)s already belongs to %(unit)s.") % {"person": person, "unit": to_unit}}
        )
    transfer = Transfer(
        person=person,
        from_unit=from_unit,
        to_unit=to_unit,
        planned_on=planned_on,
        reason=reason,
        quota_override_reason=quota_override_reason.strip(),
        batch=batch,
        created_by=actor,
    )
    transfer.full_clean()
    transfer.save()
    _record_step(transfer, "", TransferStatus.PLANNED, planned_on, actor, reason)
    return transfer


@transaction.atomic
def transfer_advance(
    *,
    actor: User | None,
    transfer: Transfer,
    effective_date: datetime.date | None = None,
    note: str = "",
    quota_override_reason: str = "",
) -> Transfer:
    """Move a transfer into its next phase: planned → virtual → physical → completed."""
    transfer = Transfer.objects.select_for_update().select_related("to_unit", "person").get(pk=transfer.pk)
    to_status = workflows.NEXT_PHASE.get(TransferStatus(transfer.status))
    if to_status is None:
        raise ValidationError(
            _("A transfer that is %(status)s has no next phase.") % {"status": TransferStatus(transfer.status).label}
        )
    _authorise_move(actor, transfer, to_status)
    day = effective_date or _default_effective_date(transfer, to_status)
    previous = _phase_start(transfer)
    if day < previous:
        raise ValidationError(
            {
                "effective_date": _("The new phase cannot start before %(day)s, when the current one began.")
                % {"day": previous}
            }
        )
    if to_status == TransferStatus.PHYSICAL:
        # Pay moves now: the quota must hold on that day (this person is among those promised a place).
        _check_quota(
            transfer.to_unit,
            day,
            0,
            actor=actor,
            override_reason=quota_override_reason or transfer.quota_override_reason,
        )
    from_status = transfer.status
    transfer.status = to_status
    setattr(transfer, workflows.DATE_FIELD[to_status], day)
    if quota_override_reason.strip():
        transfer.quota_override_reason = quota_override_reason.strip()
    transfer.full_clean()
    transfer.save()
    _record_step(transfer, from_status, to_status, day, actor, note)
    return transfer


@transaction.atomic
def transfer_cancel(*, actor: User | None, transfer: Transfer, effective_date: datetime.date, reason: str) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    _authorise_move(actor, transfer, TransferStatus.CANCELLED)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the transfer is cancelled.")})
    if effective_date < _phase_start(transfer):
        raise ValidationError({"effective_date": _("A transfer cannot be cancelled before its current phase began.")})
    from_status = transfer.status
    transfer.status = TransferStatus.CANCELLED
    transfer.cancelled_on = effective_date
    transfer.full_clean()
    transfer.save()
    _record_step(transfer, from_status, TransferStatus.CANCELLED, effective_date, actor, reason)
    return transfer


def _phase_start(transfer: Transfer) -> datetime.date:
    return transfer.completed_on or transfer.physical_on or transfer.virtual_on or transfer.planned_on


def _default_effective_date(transfer: Transfer, to_status: str) -> datetime.date:
    if to_status == TransferStatus.PHYSICAL and transfer.virtual_on is not None:
        return _add_months(transfer.virtual_on, workflows.VIRTUAL_PHASE_MONTHS)
    return max(timezone.localdate(), _phase_start(transfer))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


# --- county bureaus mirror the city's ---


@transaction.atomic
def county_bureau_mirror(
    *, actor: User | None, source: Unit, parent: Unit, code: str, name: str, kind: str = UnitKind.COUNTY_BUREAU
) -> Unit:
    """Create a county or functional-zone bureau with the structure of `source` (units and posts, no people)."""
    if actor is not None and not (actor.is_superuser or permissions.has_role(actor, Role.ADMIN)):
        raise PermissionDenied
    if kind not in (UnitKind.COUNTY_BUREAU, UnitKind.ZONE_BUREAU):
        raise ValidationError({"kind": _("A mirrored bureau is a county or a functional-zone bureau.")})
    if Unit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A unit with this code already exists.")})
    units = list(
        Unit.objects.filter(path__startswith=source.path).exclude(pk=source.pk).order_by("depth", "sort_order", "pk")
    )
    # Nested jurisdictions (the city's own county bureaus) are not part of the structure copied.
    skipped = [u.path for u in units if u.kind in (UnitKind.COUNTY_BUREAU, UnitKind.ZONE_BUREAU, UnitKind.CITY)]
    units = [u for u in units if not any(u.path.startswith(p) for p in skipped)]
    posts_by_unit: dict[int, list[Post]] = defaultdict(list)
    for post in Post.objects.filter(unit__in=[source, *units]).order_by("sort_order", "pk"):
        posts_by_unit[post.unit_id].append(post)

    top = unit_create(
        actor=actor, parent=parent, code=code, name=name, kind=kind, level=UnitLevel.SECTION_MAIN,
        headcount_min=source.headcount_min, headcount_max=source.headcount_max, sort_order=source.sort_order,
    )  # fmt: skip
    copies = {source.pk: top}
    for unit in units:
        assert unit.parent_id is not None  # every unit below `source` has a parent
        copies[unit.pk] = unit_create(
            actor=actor, parent=copies[unit.parent_id], code=f"{code}-{unit.pk}", name=unit.name,
            short_name=unit.short_name, kind=unit.kind, level=unit.level, division_type=unit.division_type,
            headcount_min=unit.headcount_min, headcount_max=unit.headcount_max, sort_order=unit.sort_order,
        )  # fmt: skip
    for original_pk, copy in copies.items():
        for post in posts_by_unit[original_pk]:
            post_create(
                actor=actor, unit=copy, title=post.title, max_holders=post.max_holders,
                is_leadership=post.is_leadership, sort_order=post.sort_order,
            )  # fmt: skip
    return top


# --- department API tokens ---

# Every secret starts so, which makes a leaked one easy to spot in code or logs (not a secret itself).
API_TOKEN_LEAD = "nedb_"  # noqa: S105


def _check_expiry(expires_on: datetime.date, today: datetime.date) -> None:
    longest = today + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
    if expires_on <= today:
        raise ValidationError({"expires_on": _("The expiry date must be after today.")})
    if expires_on > longest:
        message = _("A token lasts at most %(days)d days (until %(day)s).") % {
            "days": settings.API_TOKEN_MAX_DAYS,
            "day": longest.isoformat(),
        }
        raise ValidationError({"expires_on": message})


def _issue_token(
    *, user: User, name: str, expires_on: datetime.date, created_by: User | None, via_sign_in: bool = False
) -> tuple[ApiToken, str]:
    secret = API_TOKEN_LEAD + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: len(API_TOKEN_LEAD) + 6],
        key_hash=selectors.api_token_hash(secret),
        expires_on=expires_on,
        via_sign_in=via_sign_in,
        created_by=created_by,
    )
    return token, secret


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_on: datetime.date, actor: User | None, today: datetime.date | None = None
) -> tuple[ApiToken, str]:
    """Issue a token to a department's API-client account; returns the token and its secret (shown once)."""
    today = today or timezone.localdate()
    if actor is not None and (user.unit is None or not permissions.may_act_in_unit(actor, "add", ApiToken, user.unit)):
        raise PermissionDenied
    if not user.is_active or not permissions.has_role(user, Role.API_CLIENT):
        raise ValidationError({"user": _("Tokens are issued only to active department API-client accounts.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    _check_expiry(expires_on, today)
    return _issue_token(user=user, name=name, expires_on=expires_on, created_by=actor)


@transaction.atomic
def api_token_issue_for_sign_in(*, user: User, today: datetime.date | None = None) -> tuple[ApiToken, str]:
    """A token of the user's own, for /api/v1/auth/token/ (username, password and, with two-factor, a code).

    An account keeps its newest API_TOKEN_SIGN_IN_KEEP sign-in tokens (a script on each of a few machines);
    each sign-in beyond that revokes the oldest, so signing in again and again leaves no pile of live secrets.
    """
    today = today or timezone.localdate()
    expires_on = today + datetime.timedelta(days=settings.API_TOKEN_SIGN_IN_DAYS)
    _lock_account_tokens(user)
    live = ApiToken.objects.select_for_update().filter(user=user, via_sign_in=True, revoked_at__isnull=True)
    for old in live.order_by("-created_at", "-pk")[max(settings.API_TOKEN_SIGN_IN_KEEP - 1, 0) :]:
        _revoke(old, user)
    return _issue_token(user=user, name=_("Password sign-in"), expires_on=expires_on, created_by=user, via_sign_in=True)


@transaction.atomic
def api_tokens_revoke_sign_in(*, user: User, actor: User | None) -> int:
    """Revoke the account's live sign-in tokens: a token got with a password or an authenticator must not
    outlive it once it is changed or reset (someone who had them keeps nothing). Tokens an administrator
    issued for a department's system stay: they were never got with these secrets."""
    _lock_account_tokens(user)
    live = ApiToken.objects.select_for_update().filter(user=user, via_sign_in=True, revoked_at__isnull=True)
    revoked = 0
    for token in live.order_by("pk"):
        _revoke(token, actor)
        revoked += 1
    return revoked


@transaction.atomic
def user_password_change(*, user: User, password: str | None, actor: User | None) -> None:
    """Set a user's password (already validated by the form; None: no password sign-in at all) and revoke
    the tokens the old one got."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    api_tokens_revoke_sign_in(user=user, actor=actor)


def _lock_account_tokens(user: User) -> None:
    """The account's row first, then its tokens: a sign-in and a revocation of the same account's tokens
    queue one behind the other instead of locking the tokens in opposite orders (a deadlock)."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def _token_to_change(token: ApiToken, actor: User | None, *, revoked: str) -> ApiToken:
    """The token locked for a change the actor may make; `revoked` is the refusal for a revoked one."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if actor is not None:
        permissions.check(actor, "change", token)
    if token.revoked_at is not None:
        raise ValidationError(revoked)
    return token


def _revoke(token: ApiToken, actor: User | None, replaced_by: ApiToken | None = None) -> None:
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.replaced_by = replaced_by
    token.save(update_fields=["revoked_at", "revoked_by", "replaced_by"])


@transaction.atomic
def api_token_rotate(*, token: ApiToken, actor: User | None) -> tuple[ApiToken, str]:
    """Replace a token's secret: a new token (same account, name and expiry) and the old one revoked at once."""
    token = _token_to_change(token, actor, revoked=_("This token is revoked; issue a new one instead."))
    if token.expires_on < timezone.localdate():
        raise ValidationError(_("This token has expired; issue a new one instead."))
    new, secret = _issue_token(user=token.user, name=token.name, expires_on=token.expires_on, created_by=actor)
    _revoke(token, actor, replaced_by=new)
    return new, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Revoke a token: the API refuses it from now on."""
    token = _token_to_change(token, actor, revoked=_("This token is already revoked."))
    _revoke(token, actor)
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Note that a token was used: at most one write a minute per token (not part of the audit history)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- notices to units ---


@transaction.atomic
@transaction.atomic
def notifications_mark_seen(*, actor: User, up_to: datetime.datetime) -> None:
    """The actor has seen their unit's notices up to `up_to`, the newest one the list showed: the top bar counts
    only later ones. Not "now": a notice stamped before now whose transaction commits later would never be
    counted. The mark never moves back (another tab showing an older list)."""
    User.objects.filter(pk=actor.pk).update(notifications_seen_at=Greatest(F("notifications_seen_at"), Value(up_to)))
    actor.notifications_seen_at = max(filter(None, [actor.notifications_seen_at, up_to]))


# --- two-factor sign-in (TOTP, with one-time recovery codes) ---


@transaction.atomic
def two_factor_start(*, user: User) -> TOTPDevice:
    """The authenticator the user is enrolling: one unconfirmed device, the same until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@transaction.atomic
def two_factor_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm an enrolment with a code from the app; returns the new one-time recovery codes (shown once).

    Any earlier authenticator and recovery codes of the user are replaced.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token(_clean_code(code)):
        raise ValidationError({"code": _("The code is not correct. Enter the 6 digits your app shows now.")})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    recovery = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _n in range(settings.OTP_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    return codes


def _clean_code(code: str) -> str:
    return "".join(code.split()).lower()


def two_factor_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` (a 6-digit TOTP code or a recovery code, which is then used up), or None.

    Not one transaction on purpose: django-otp records failures (and slows down guessing) as it goes.
    """
    code = _clean_code(code)
    kind: type[Device] = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    for device in kind.objects.filter(user=user, confirmed=True).order_by("pk"):
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def two_factor_wait_seconds(*, user: User) -> int:
    """How long django-otp still holds the user's authenticator back after wrong codes (0: not at all)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return 0
    allowed, details = device.verify_is_allowed()
    if allowed or not details or "locked_until" not in details:
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


def two_factor_has_device(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_needed(*, user: User, has_device: bool | None = None) -> bool:
    """Must this sign-in pass a second factor? When the role requires it, or the user chose to enrol."""
    if has_device is None:
        has_device = two_factor_has_device(user=user)
    return has_device or permissions.two_factor_required(user)


@transaction.atomic
def two_factor_reset(*, user: User, actor: User | None) -> int:
    """An administrator removes a user's authenticator and recovery codes (they enrol again at next sign-in)."""
    if actor is not None and not (
        actor.is_superuser or (user.unit is not None and permissions.may_act_in_unit(actor, "change", User, user.unit))
    ):
        raise PermissionDenied
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    user.two_factor_reset_at = timezone.now()
    user.save(update_fields=["two_factor_reset_at"])
    api_tokens_revoke_sign_in(user=user, actor=actor)
    return removed
