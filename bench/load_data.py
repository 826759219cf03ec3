"""The load scenario's data: every app's demo data, then nine more rounds of it (ten times the demo size).

Each extra round goes through the same services as the demo (`seed_demo`), with its own names and numbers:
policies (published through the workflow), fund applications in every state, joint meetings with
minutes and action items, data-set rows loaded by the ingestion, and people in the organisation.
Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import datetime
import io
import random
from dataclasses import replace

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone


def seed(scale: int = 10) -> None:
    call_command("seed_demo", "--force", verbosity=0)
    rounds = range(1, scale)
    _policies(rounds)
    _applications(rounds)
    _meetings(rounds)
    _records(rounds)
    _people(rounds)


@transaction.atomic
def _policies(rounds: range) -> None:
    from bureau.models import Unit
    from policies import demo
    from policies.models import Policy, PolicyField

    units = {u.code: u for u in Unit.objects.all()}
    fields = {f.code: f for f in PolicyField.objects.all()}
    master = Policy.objects.get(document_number=demo.MASTER.number)
    for r in rounds:
        for p in demo.SUBS:
            copy = replace(p, number=f"{p.number}-{r}", title=f"{p.title}（第{r}批）")
            demo._create(copy, units, fields, master)


@transaction.atomic
def _applications(rounds: range) -> None:
    from funds import demo, services
    from funds.models import Application, Programme

    programmes = {p.code: p for p in Programme.objects.all()}
    experts = [u for u in (demo._user("expert"), demo._user("expert2")) if u is not None]
    for r in rounds:
        for n, (code, enterprise, size, segment, county, project, yuan, target) in enumerate(demo.APPLICATIONS, 1):
            title = f"{project}（第{r}批）"
            if Application.objects.filter(programme=programmes[code], title=title).exists():
                continue
            application = services.application_create(
                actor=None, programme=programmes[code], credit_code=demo.credit_code(r * 100 + n),
                enterprise_name=f"{enterprise[:-6]}{r}号有限公司", title=title, requested_fen=yuan * 10,
                submitted_by_unit=programmes[code].owner_unit,
            )  # fmt: skip
            application.enterprise.__class__.objects.filter(pk=application.enterprise_id).update(
                size_class=size, chain_segment=segment, county=county
            )
            demo._walk(application, target, experts)


@transaction.atomic
def _meetings(rounds: range) -> None:
    from bureau.models import Unit
    from meetings import demo
    from meetings.models import Meeting

    codes = [code for code, _r, _d in demo.MEMBERS] + [demo.CONVENING, demo.RECORDING]
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    users = demo._accounts(units)
    today = timezone.localdate()
    for r in rounds:
        for k, (_number, ago, place, items) in enumerate(demo.PAST):
            number = 100 + r * 10 + k
            if Meeting.objects.filter(number=number).exists():
                continue
            day = today - datetime.timedelta(days=ago + 100 + r * 20 + k)
            titles = [(f"{title}（第{number}次）", owner, due) for title, owner, due in items]
            demo._hold(number, day, place, titles, units, users)


def _records(rounds: range) -> None:
    """Each demo data set's rows again per round, for other enterprises (new credit codes), loaded by the ingestion."""
    from datacenter import demo, services
    from datacenter.choices import JobStatus
    from datacenter.models import DataSet

    index: dict[str, int] = {}  # an enterprise of the demo -> its number, the same in every data set
    for spec in demo.datasets():
        dataset = DataSet.objects.get(code=spec["code"])
        header = [f["name"] for f in spec["fields"]]
        for r in rounds:
            name = f"load-{spec['code']}-{r}.csv"
            if dataset.jobs.filter(original_name=name, status=JobStatus.SUCCEEDED).exists():
                continue
            rows = [[demo.code(100_000 * r + index.setdefault(row[0], len(index))), f"{row[1]}（{r}）", *row[2:]]
                    for row in spec["rows"]]  # fmt: skip
            job = services.job_create(dataset=dataset, stream=io.BytesIO(demo._csv(header, rows)), original_name=name,
                                      actor=None, enqueue=False)  # fmt: skip
            services.job_run(job_id=job.pk)


@transaction.atomic
def _people(rounds: range) -> None:
    from bureau.models import Appointment, Person, Post

    people = list(Person.objects.filter(name__regex=r"^[^0-9]+$").order_by("pk"))
    if Person.objects.filter(name__endswith="（负载）").exists():
        return
    posts = list(Post.objects.filter(max_holders__isnull=True))
    rng = random.Random(11)
    created = Person.objects.bulk_create(
        Person(name=f"{p.name}{r}（负载）", home_unit_id=p.home_unit_id) for r in rounds for p in people
    )
    if posts:
        Appointment.objects.bulk_create(
            Appointment(person=p, post=rng.choice(posts), start_date=datetime.date(2024, 1, 1)) for p in created
        )


@transaction.atomic
def review_queue(count: int) -> list[int]:
    """Submitted applications waiting for the division review: what bureau staff take, one per review."""
    from funds import demo, services
    from funds.choices import ApplicationStatus
    from funds.models import Application, Programme

    programme = Programme.objects.get(code="ecommerce-2026")
    waiting = Application.objects.filter(programme=programme, status=ApplicationStatus.SUBMITTED,
                                         title__startswith="负载待初审")  # fmt: skip
    for n in range(waiting.count(), count):
        application = services.application_create(
            actor=None, programme=programme, credit_code=demo.credit_code(5000 + n),
            enterprise_name=f"温州负载测试{n}号电子商务有限公司", title=f"负载待初审{n}", requested_fen=100_000_00,
            submitted_by_unit=programme.owner_unit,
        )  # fmt: skip
        services.application_submit(actor=None, application=application, today=demo.D(demo.YEAR, 3, 2))
    return list(waiting.order_by("pk").values_list("pk", flat=True))


def journey_data(review_count: int = 600) -> dict[str, object]:
    """The ids the locust users work on (bench/locustfile.py)."""
    from datacenter import demo as datacenter_demo
    from datacenter.models import DataSet
    from funds.models import Application
    from meetings.choices import ActionStatus
    from meetings.models import ActionItem, Minutes

    open_items = ActionItem.objects.filter(
        owner_unit__code="bigdata-center",
        status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.OVERDUE],
    )
    return {
        "review": review_queue(review_count),
        "applications": list(Application.objects.order_by("pk").values_list("pk", flat=True)[:200]),
        "minutes": list(Minutes.objects.order_by("pk").values_list("pk", flat=True)),
        "action_items": list(open_items.order_by("pk").values_list("pk", flat=True)),
        "dataset": DataSet.objects.get(code="ecommerce-stores").pk,
        "codes": [datacenter_demo.code(20_000 + i) for i in range(2000)],
    }


def sizes() -> str:
    from django.db.models import Sum

    from bureau.models import Person
    from datacenter.models import DataSet
    from funds.models import Application
    from meetings.models import ActionItem, Meeting
    from policies.models import Policy

    return (f"{Policy.objects.count()} policies, {Application.objects.count()} applications, "
            f"{Meeting.objects.count()} meetings, {ActionItem.objects.count()} action items, "
            f"{DataSet.objects.aggregate(n=Sum('record_count'))['n'] or 0} data-set records, "
            f"{Person.objects.count()} people")  # fmt: skip
