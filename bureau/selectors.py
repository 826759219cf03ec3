"""Reads of the organisation, scoped by bureau.permissions, and the as-of-date questions."""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import BigIntegerField, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .choices import JURISDICTION_KINDS, TransferStatus, UnitKind
from .models import ApiToken, Appointment, Notification, Person, Post, Transfer, Unit, User
from .permissions import reaches_own_unit, restrict


def unit_list(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    return restrict(Unit.objects.select_related("parent"), user).order_by("path")


def units_on(day: datetime.date) -> Q:
    """Units that exist on `day`."""
    return (Q(established_on__isnull=True) | Q(established_on__lte=day)) & (
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
    )


def appointments_on(day: datetime.date) -> Q:
    """Appointments held on `day` (the end date is the last day held)."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def person_list(*, user: User | AnonymousUser) -> QuerySet[Person]:
    return restrict(Person.objects.select_related("home_unit__parent"), user).order_by("name", "pk")


def readable_people(*, user: User | AnonymousUser, ids: set[int]) -> set[int]:
    """Which of these people's pages `user` may open (the person page's rule), in at most one query."""
    if not ids or not user.has_perm("bureau.view_person"):
        return set()
    return set(person_list(user=user).filter(pk__in=ids).order_by().values_list("pk", flat=True))


def posts_held_on(people: list[Person], day: datetime.date) -> dict[int, list[str]]:
    """The posts each of these people holds on `day` ("市商务局 电子商务处 处长"), in one query."""
    held: dict[int, list[str]] = defaultdict(list)
    appointments = (
        Appointment.objects.filter(appointments_on(day), person__in=[p.pk for p in people])
        .select_related("post__unit__parent")
        .order_by("is_concurrent", "post__sort_order", "pk")
    )
    for appointment in appointments:
        held[appointment.person_id].append(f"{appointment.post.unit.full_name} {appointment.post.title}")
    return dict(held)


def transfer_divisions(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    """Divisions whose people `user` may plan to transfer as a whole: those among the units they may change."""
    return restrict(
        Unit.objects.filter(kind__in=[UnitKind.DIVISION, UnitKind.DEPARTMENT_DIVISION]), user, "change"
    ).order_by("path")


def transfer_list(*, user: User | AnonymousUser) -> QuerySet[Transfer]:
    return restrict(Transfer.objects.select_related("person", "from_unit__parent", "to_unit__parent"), user).order_by(
        "-planned_on", "-pk"
    )


# --- where a person works, who pays and who assesses them, on a date ---


@dataclass(frozen=True)
class Placement:
    works_in: Unit
    paid_by: Unit
    assessed_by: Unit
    transfer: Transfer | None
    phase: str | None


def _active_transfer_on(transfers: list[Transfer], day: datetime.date) -> Transfer | None:
    """The transfer in force on `day`: the latest one whose virtual phase had begun and not been undone."""
    live = [
        t for t in transfers if t.virtual_on is not None and t.virtual_on <= day
        and (t.cancelled_on is None or t.cancelled_on > day)
    ]  # fmt: skip
    return max(live, key=lambda t: (t.virtual_on, t.pk), default=None)


def phase_on(transfer: Transfer, day: datetime.date) -> str:
    """The status the transfer had on `day`, from its phase dates."""
    if transfer.cancelled_on is not None and transfer.cancelled_on <= day:
        return TransferStatus.CANCELLED
    for status, when in (
        (TransferStatus.COMPLETED, transfer.completed_on),
        (TransferStatus.PHYSICAL, transfer.physical_on),
        (TransferStatus.VIRTUAL, transfer.virtual_on),
    ):
        if when is not None and when <= day:
            return status
    return TransferStatus.PLANNED


def placement_on(person: Person, day: datetime.date) -> Placement:
    """Answers for any person and date: where they work, which unit pays them, which assesses them."""
    transfers = list(person.transfers.select_related("from_unit__parent", "to_unit__parent"))
    transfer = _active_transfer_on(transfers, day)
    if transfer is None:
        home = person.home_unit
        # A completed earlier transfer moved everything; the latest such is the home now.
        done = [t for t in transfers if t.physical_on is not None and t.physical_on <= day and t.cancelled_on is None]
        if done:
            home = max(done, key=lambda t: (t.physical_on, t.pk)).to_unit
        return Placement(home, home, home, None, None)
    phase = phase_on(transfer, day)
    if phase == TransferStatus.VIRTUAL:
        return Placement(transfer.to_unit, transfer.from_unit, transfer.from_unit, transfer, phase)
    return Placement(transfer.to_unit, transfer.to_unit, transfer.to_unit, transfer, phase)


def pay_unit_on(day: datetime.date) -> Coalesce:
    """SQL for the unit that pays a person on `day`: the latest transfer in its physical phase, else home."""
    in_force = (
        Transfer.objects.filter(person=OuterRef("pk"), physical_on__lte=day)
        .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=day))
        .order_by("-physical_on", "-pk")
        .values("to_unit")[:1]
    )
    return Coalesce(Subquery(in_force), F("home_unit_id"), output_field=BigIntegerField())


# --- headcount against the quota (编制) ---


def quota_owner(unit: Unit, units_by_id: dict[int, Unit]) -> Unit | None:
    """The unit whose headcount quota `unit`'s people count against, if any.

    The nearest unit at or above it with a quota, not crossing into another jurisdiction
    (a county bureau's people never count against the city bureau's quota).
    """
    for pk in reversed(unit.ancestor_ids()):
        candidate = units_by_id.get(pk)
        if candidate is None:
            return None
        if candidate.headcount_max is not None:
            return candidate
        if candidate.kind in JURISDICTION_KINDS:
            return None
    return None


def headcount_used(day: datetime.date, units_by_id: dict[int, Unit] | None = None) -> dict[int, int]:
    """Headcount used on `day` per quota-holding unit: people paid by it or the units it answers for."""
    if units_by_id is None:
        units_by_id = {u.pk: u for u in Unit.objects.all()}
    paid = (
        Person.objects.annotate(pay_unit=pay_unit_on(day))
        .values("pay_unit")
        .annotate(n=Count("pk"))
        .values_list("pay_unit", "n")
    )
    used: dict[int, int] = defaultdict(int)
    for unit_id, n in paid:
        unit = units_by_id.get(unit_id)
        owner = quota_owner(unit, units_by_id) if unit is not None else None
        if owner is not None:
            used[owner.pk] += n
    return dict(used)


def incoming_open_transfers(unit_ids: list[int], day: datetime.date) -> int:
    """Transfers into these units planned or virtual on `day`: people promised a place but not yet paid."""
    return (
        Transfer.objects.filter(to_unit__in=unit_ids, status__in=[TransferStatus.PLANNED, TransferStatus.VIRTUAL])
        .filter(Q(physical_on__isnull=True) | Q(physical_on__gt=day))
        .count()
    )


def quota_units(owner: Unit, units_by_id: dict[int, Unit]) -> list[int]:
    """The units whose people count against `owner`'s quota."""
    return [
        u.pk for u in units_by_id.values() if u.path.startswith(owner.path) and quota_owner(u, units_by_id) == owner
    ]


# --- the org chart ---


@dataclass(frozen=True)
class Holder:
    """One holder of a post on the chart: just what the chart shows, without loading whole models."""

    person_id: int
    name: str
    is_concurrent: bool
    on_behalf_of: str | None
    # May the reader open this person's page? The chart is everyone's; people are not (bureau.permissions).
    linked: bool = False


@dataclass
class PostNode:
    post: Post
    holders: list[Holder] = field(default_factory=list)

    @property
    def vacancies(self) -> int:
        if self.post.max_holders is None:
            return 0
        return max(0, self.post.max_holders - len(self.holders))


@dataclass
class UnitNode:
    unit: Unit
    depth: int
    posts: list[PostNode] = field(default_factory=list)
    headcount: int | None = None

    @property
    def vacancies(self) -> int:
        return sum(p.vacancies for p in self.posts)


def org_chart(*, user: User | AnonymousUser, day: datetime.date, root: Unit | None = None) -> list[UnitNode]:
    """The organisation on `day` in tree order, with each post's holders and each quota's use.

    A fixed number of queries whatever the number of units, posts or people.
    """
    all_units = {u.pk: u for u in Unit.objects.all()}
    visible = restrict(Unit.objects.filter(units_on(day)), user)
    if root is not None:
        visible = visible.filter(path__startswith=root.path)
    visible_ids = set(visible.values_list("pk", flat=True))
    nodes = {pk: UnitNode(unit=u, depth=u.depth) for pk, u in all_units.items() if pk in visible_ids}
    for node in nodes.values():
        node.unit.parent = all_units.get(node.unit.parent_id) if node.unit.parent_id else None
    posts = {
        p.pk: PostNode(post=p) for p in Post.objects.filter(unit__in=nodes.keys()).order_by("unit", "sort_order", "pk")
    }
    holders = (
        Appointment.objects.filter(appointments_on(day), post__in=posts.keys())
        .order_by("start_date", "pk")
        .values_list("post_id", "person_id", "person__name", "is_concurrent", "on_behalf_of_id")
    )
    rows = list(holders)
    readable = readable_people(user=user, ids={row[1] for row in rows})
    for post_id, person_id, name, concurrent, behalf_id in rows:
        behalf = all_units.get(behalf_id) if behalf_id else None
        posts[post_id].holders.append(
            Holder(
                person_id, name, concurrent, (behalf.short_name or behalf.name) if behalf else None,
                linked=person_id in readable,
            )
        )  # fmt: skip
    for post_node in posts.values():
        nodes[post_node.post.unit_id].posts.append(post_node)
    # Quotas are counted over every unit: people paid by units outside this view still count.
    for pk, count in headcount_used(day, all_units).items():
        if pk in nodes:
            nodes[pk].headcount = count
    # Ordering by path would sort "/1/12/" before "/1/2/"; siblings go by sort_order instead.
    return _tree_order(list(nodes.values()))


def _tree_order(nodes: list[UnitNode]) -> list[UnitNode]:
    children: dict[int | None, list[UnitNode]] = defaultdict(list)
    present = {n.unit.pk for n in nodes}
    for node in nodes:
        parent = node.unit.parent_id if node.unit.parent_id in present else None
        children[parent].append(node)
    for siblings in children.values():
        siblings.sort(key=lambda n: (n.unit.sort_order, n.unit.code))
    ordered: list[UnitNode] = []
    stack = list(reversed(children[None]))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(node.unit.pk, [])))
    return ordered


def person_history(person: Person, *, user: User | AnonymousUser) -> tuple[list[Appointment], list[Transfer]]:
    """A person's posts and the transfers of theirs that `user` may read (a reader who sees the person need not
    see every unit they were later transferred between)."""
    appointments = list(person.appointments.select_related("post__unit", "on_behalf_of").order_by("-start_date", "-pk"))
    transfers = list(transfer_list(user=user).filter(person=person).prefetch_related("steps__actor"))
    return appointments, transfers


# --- notices to units ---

# The navbar counts at most this many new notices (and shows "99+"), so the count stays cheap however many wait.
UNSEEN_NOTIFICATIONS_CAP = 100


def notification_list(*, user: User | AnonymousUser) -> QuerySet[Notification]:
    """Notices to the user's own unit, newest first: each unit reads its own, whatever else its role may read.
    The rows `restrict` gives, asked through `reaches_own_unit` so that the top bar's count loads no unit."""
    own_id: int | None = getattr(user, "unit_id", None)
    if own_id is None or not reaches_own_unit(user, "view", Notification):
        return Notification.objects.none()
    return Notification.objects.filter(unit_id=own_id).order_by("-created_at", "-pk")


def unseen_notification_count(*, user: User | AnonymousUser) -> int:
    """How many of the user's notices came after they last opened the list (all of them if never), counted up
    to UNSEEN_NOTIFICATIONS_CAP, in one query (the index on unit and time)."""
    rows = notification_list(user=user)
    seen_at: datetime.datetime | None = getattr(user, "notifications_seen_at", None)
    if seen_at is not None:
        rows = rows.filter(created_at__gt=seen_at)
    return rows.order_by()[:UNSEEN_NOTIFICATIONS_CAP].count()


# --- department API tokens ---


def api_token_hash(secret: str) -> str:
    """Only this is stored: the secret is 32 random bytes, so a plain SHA-256 cannot be reversed."""
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_for_key(secret: str) -> ApiToken | None:
    """The token a request presents (whatever its state), with its account."""
    return ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(secret)).first()


def api_token_list(*, user: User | AnonymousUser) -> QuerySet[ApiToken]:
    return restrict(
        ApiToken.objects.select_related("user__unit", "created_by", "revoked_by", "replaced_by"), user
    ).order_by("-created_at", "-pk")


def api_client_accounts(*, user: User | AnonymousUser) -> QuerySet[User]:
    """Active department API-client accounts in units where `user` may issue tokens."""
    from .roles import Role

    units = restrict(Unit.objects.all(), user, "change")
    return (
        User.objects.filter(is_active=True, groups__name=Role.API_CLIENT, unit__in=units)
        .select_related("unit")
        .order_by("unit__path", "username")
    )
