"""The data center's pages: thin; rows come from selectors, writes go through services."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bureau.models import User
from bureau.permissions import visible_units
from core.forms import add_service_errors, call_service
from core.permissions import require_perm

from . import exports, selectors, services
from .choices import Aggregation, EnterpriseAttribute
from .filtersets import DataSetFilterSet, EnterpriseFilterSet
from .forms import DataSetForm, IndicatorForm, ShareForm, UploadForm, schema_formset
from .models import DataSet, Indicator, IndicatorValue, IngestionJob
from .permissions import is_center_member
from .registry import build_profile


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_perm("datacenter.view_dataset")
def index(request: HttpRequest) -> HttpResponse:
    filterset = DataSetFilterSet(request.GET or None, queryset=selectors.dataset_list(user=request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "datacenter/catalogue.html",
                  {"filterset": filterset, "page": page, "is_center": is_center_member(request.user)})  # fmt: skip


@login_required
@require_perm("datacenter.add_dataset")
def dataset_create(request: HttpRequest) -> HttpResponse:
    form = DataSetForm(request.POST or None, units=visible_units(request.user, "add"))
    formset = schema_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        fields, key = formset.schema()
        try:
            dataset = services.dataset_create(
                owner_unit=d["owner_unit"], code=d["code"], name=d["name"], description=d["description"],
                frequency=d["frequency"], sensitivity=d["sensitivity"], pull_url=d["pull_url"],
                fields=fields, natural_key=key, actor=_user(request),
            )  # fmt: skip
        except ValidationError as exc:
            if isinstance(exc, services.SchemaInvalid):
                formset.show_problems(exc)
            else:
                add_service_errors(form, exc)
        else:
            messages.success(request, _("The data set is registered."))
            return redirect("datacenter:dataset", pk=dataset.pk)
    return render(request, "datacenter/dataset_form.html", {"form": form, "formset": formset})


@login_required
@require_perm("datacenter.view_dataset")
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(selectors.dataset_list(user=request.user), pk=pk)
    is_center = is_center_member(request.user)
    schema = dataset.current_schema
    attributes = dict(EnterpriseAttribute.choices)
    schema_rows = [(f, selectors.field_type_label(f["type"]), attributes.get(f.get("maps_to") or ""))
                   for f in (schema.fields if schema else [])]  # fmt: skip
    return render(request, "datacenter/dataset_detail.html", {
        "dataset": dataset, "schema": schema, "schema_rows": schema_rows, "is_center": is_center,
        "jobs": selectors.job_list(user=request.user).filter(dataset=dataset)[:10],
        "versions": selectors.schema_versions(user=request.user, dataset=dataset),
        "shares": selectors.dataset_shares(user=request.user, dataset=dataset) if is_center else None,
    })  # fmt: skip


@login_required
@require_perm("datacenter.view_dataset")
def schema_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The schema's versions with what changed between them."""
    dataset = get_object_or_404(selectors.dataset_list(user=request.user), pk=pk)
    history = selectors.schema_history(user=request.user, dataset=dataset)
    return render(request, "datacenter/schema_history.html", {"dataset": dataset, "history": history})


@login_required
@require_perm("datacenter.change_dataset")
def schema_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The schema editor: a change saves a new version, which applies to the loads after it."""
    dataset = _managed_dataset(request, pk)
    schema = dataset.current_schema
    formset = schema_formset(request.POST or None, schema)
    if request.method == "POST" and formset.is_valid():
        fields, key = formset.schema()
        try:
            saved = services.schema_change(dataset=dataset, fields=fields, natural_key=key, actor=_user(request))
        except ValidationError as exc:
            formset.show_problems(exc)
        else:
            if schema is not None and saved.pk == schema.pk:
                messages.info(request, _("Nothing changed; the schema stays at version %(v)d.") % {"v": saved.version})
            else:
                messages.success(request, _("Version %(v)d of the schema is saved; it applies to the next loads.")
                                 % {"v": saved.version})  # fmt: skip
            return redirect("datacenter:dataset", pk=dataset.pk)
    history = selectors.schema_history(user=request.user, dataset=dataset)
    return render(request, "datacenter/schema_edit.html",
                  {"dataset": dataset, "schema": schema, "formset": formset, "history": history})  # fmt: skip


def _managed_dataset(request: HttpRequest, pk: int) -> DataSet:
    """A data set the user may change, for the center's own pages (a 404 if not visible, a 403 if not the center)."""
    dataset = get_object_or_404(selectors.dataset_list(user=request.user, action="change"), pk=pk)
    if not is_center_member(request.user):
        raise PermissionDenied
    return dataset


@login_required
@require_perm("datacenter.change_dataset")
def dataset_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    """Whom a sensitive data set is shared with; share it with one more unit."""
    dataset = _managed_dataset(request, pk)
    form = ShareForm(request.POST or None, units=selectors.share_candidates(dataset=dataset))
    if request.method == "POST" and form.is_valid():
        share = call_service(form, services.dataset_share, dataset=dataset, unit=form.cleaned_data["unit"],
                             actor=_user(request))  # fmt: skip
        if share is not None:
            messages.success(request, _("The data set is shared with %(unit)s.") % {"unit": share.unit.full_name})
            return redirect("datacenter:sharing", pk=dataset.pk)
    shares = selectors.dataset_shares(user=request.user, dataset=dataset)
    return render(request, "datacenter/sharing.html", {"dataset": dataset, "form": form, "shares": shares})


@login_required
@require_perm("datacenter.change_dataset")
def dataset_unshare(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    """Revoke a share, after a confirmation page."""
    dataset = _managed_dataset(request, pk)
    share = get_object_or_404(selectors.dataset_shares(user=request.user, dataset=dataset), unit_id=unit_id)
    if request.method == "POST":
        try:
            services.dataset_unshare(dataset=dataset, unit=share.unit, actor=_user(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(unit)s no longer sees the data set.") % {"unit": share.unit.full_name})
        return redirect("datacenter:sharing", pk=dataset.pk)
    return render(request, "datacenter/unshare.html", {"dataset": dataset, "share": share})


@login_required
@require_POST
def dataset_pull(request: HttpRequest, pk: int) -> HttpResponse:
    """Pull now what the department publishes at the data set's address."""
    dataset = get_object_or_404(selectors.dataset_list(user=request.user), pk=pk)
    try:
        job = services.dataset_pull(dataset=dataset, actor=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("datacenter:dataset", pk=dataset.pk)
    return redirect("datacenter:job", pk=job.pk)


def _declared_length(request: HttpRequest) -> int:
    """The body's length as the Content-Length header declares it; 0 (unknown) if the header is not a number."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@login_required
@require_perm("datacenter.add_ingestionjob")
def dataset_upload(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(selectors.dataset_list(user=request.user), pk=pk)
    if request.method == "POST" and _declared_length(request) > settings.UPLOAD_MAX_BYTES:
        # Refused by the declared length, before reading the body.
        return render(request, "datacenter/upload.html", {"dataset": dataset, "form": UploadForm(), "too_large": True,
                      "threshold": dataset.reject_threshold * 100}, status=413)  # fmt: skip
    # Bound on every POST: one whose body did not arrive (its length unknown) says the file is missing.
    form = UploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = call_service(form, services.job_create, dataset=dataset, stream=upload.chunks(),
                               original_name=upload.name, actor=_user(request))  # fmt: skip
        except PermissionDenied:
            form.add_error(None, _("You may upload only to your own department's data sets."))
        else:
            if job is not None:
                return redirect("datacenter:job", pk=job.pk)
    return render(request, "datacenter/upload.html", {"dataset": dataset, "form": form,
                  "threshold": dataset.reject_threshold * 100})  # fmt: skip


def _job_context(job: IngestionJob) -> dict[str, Any]:
    duration = job.duration_seconds or 0.0
    rate = job.rows_read / duration if duration > 0 else 0.0
    expected = job.rows_expected or 0
    percent = 100 if job.status in ("succeeded", "failed", "cancelled") else (
        min(99, int(100 * job.rows_read / expected)) if expected else 0)  # fmt: skip
    left = (expected - job.rows_read) / rate if rate > 0 and expected > job.rows_read else None
    return {"job": job, "rate": rate, "percent": percent, "seconds_left": left, "duration": duration,
            "active": job.status in ("queued", "running")}  # fmt: skip


@login_required
@require_perm("datacenter.view_ingestionjob")
def job_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.job_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "datacenter/jobs.html", {"page": page})


@login_required
@require_perm("datacenter.view_ingestionjob")
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(selectors.job_list(user=request.user), pk=pk)
    template = "datacenter/_job_progress.html" if request.headers.get("HX-Request") else "datacenter/job_detail.html"
    labels = {f["name"]: f.get("label") or f["name"] for f in job.schema_version.fields}
    errors = [(e, labels.get(e.field, e.field)) for e in selectors.job_errors(user=request.user, job=job)[:20]]
    return render(request, template, {**_job_context(job), "errors": errors})


JOB_STEPS = {"cancel": services.job_cancel, "retry": services.job_retry}


@login_required
@require_POST
def job_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Cancel or Retry: one service call each."""
    job = get_object_or_404(selectors.job_list(user=request.user), pk=pk)
    try:
        JOB_STEPS[step](job=job, actor=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("datacenter:job", pk=job.pk)


@login_required
@require_perm("datacenter.view_ingestionjob")
def job_errors(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = get_object_or_404(selectors.job_list(user=request.user), pk=pk)
    return exports.job_error_report(job, selectors.job_errors(user=request.user, job=job))


def _cell(value: Any) -> Any:
    """A record's value as the page shows it: yes/no in words, dates in ISO form."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@login_required
@require_perm("datacenter.view_record")
def records(request: HttpRequest, pk: int) -> HttpResponseBase:
    dataset: DataSet = get_object_or_404(selectors.dataset_list(user=request.user), pk=pk)
    schema = dataset.current_schema
    fields = schema.fields if schema else []
    filters = {f["name"]: request.GET.get(f["name"], "").strip() for f in fields}
    errors: dict[str, list[str]] = {}
    try:
        qs = selectors.record_list(user=request.user, dataset=dataset, filters=filters)
    except ValidationError as exc:
        # A filter that is not a value of its field says so and filters nothing.
        errors = exc.message_dict
        usable = {k: v for k, v in filters.items() if k not in errors}
        qs = selectors.record_list(user=request.user, dataset=dataset, filters=usable)
    names = [f["name"] for f in fields]
    export = request.GET.get("export")
    if export in ("csv", "xlsx") and not errors:
        header = [f.get("label") or f["name"] for f in fields]
        rows = ([r.values.get(n) for n in names] for r in qs.iterator())
        if export == "csv":
            return exports.csv_response(f"{dataset.code}.csv", header, rows)
        return exports.xlsx_response(f"{dataset.code}.xlsx", header, rows)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    table = [(r, [_cell(r.values.get(n)) for n in names]) for r in page.object_list]
    # A credit code links to its profile only where the reader may open it (the master is scoped by county).
    codes = {r.enterprise for r in page.object_list if r.enterprise}
    linkable = set(selectors.enterprise_list(user=request.user).filter(pk__in=codes).values_list("pk", flat=True))
    boxes = [{"field": f, "value": filters[f["name"]], "errors": errors.get(f["name"], [])} for f in fields]
    return render(request, "datacenter/records.html", {"dataset": dataset, "fields": fields, "boxes": boxes,
                  "filtered": any(filters.values()), "page": page, "table": table, "linkable": linkable})  # fmt: skip


@login_required
@require_perm("datacenter.view_enterprise")
def enterprise_list(request: HttpRequest) -> HttpResponse:
    filterset = EnterpriseFilterSet(request.GET or None, queryset=selectors.enterprise_list(user=request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "datacenter/enterprises.html", {"filterset": filterset, "page": page})


@login_required
@require_perm("datacenter.view_enterprise")
def enterprise_profile(request: HttpRequest, credit_code: str) -> HttpResponse:
    enterprise = get_object_or_404(selectors.enterprise_list(user=request.user), credit_code=credit_code)
    return render(request, "datacenter/enterprise_profile.html",
                  {"enterprise": enterprise, "sections": build_profile(enterprise, request.user)})  # fmt: skip


INDICATORS_PER_PAGE = 12


def _month_range(first: datetime.date, last: datetime.date) -> list[str]:
    """Every month from the first to the last: a month without data shows as a gap, not as a neighbour."""
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _indicator_chart(indicator: Indicator, values: list[IndicatorValue]) -> dict[str, Any]:
    """One indicator's charts: the total by month, and by county for a month (the last one, until another is
    picked on the line)."""
    periods = [v.period for v in values]
    months = _month_range(min(periods), max(periods)) if periods else []
    total = {v.period.isoformat()[:7]: float(v.value) for v in values if not v.county}
    by_month: dict[str, dict[str, float]] = defaultdict(dict)
    for v in values:
        if v.county:
            by_month[v.period.isoformat()[:7]][v.county] = float(v.value)
    counties = sorted({county for month in by_month.values() for county in month})
    return {"id": indicator.pk, "name": indicator.name, "unit": indicator.unit_label, "months": months,
            "series": [total.get(m) for m in months], "counties": counties,
            "by_month": {m: [by_month[m].get(c) for c in counties] for m in by_month},
            "last": months[-1] if months else None, "whole": indicator.aggregation == Aggregation.COUNT}  # fmt: skip


@login_required
@require_perm("datacenter.view_indicator")
def indicators(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.indicator_list(user=request.user), INDICATORS_PER_PAGE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    values: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in selectors.indicators_values(user=request.user, indicators=items):
        values[value.indicator_id].append(value)
    charts = [_indicator_chart(indicator, values[indicator.pk]) for indicator in items]
    return render(request, "datacenter/indicators.html", {"page": page, "charts": charts})


@login_required
@require_perm("datacenter.add_indicator")
def indicator_create(request: HttpRequest) -> HttpResponse:
    form = IndicatorForm(request.POST or None, datasets=selectors.dataset_list(user=request.user, action="change"))
    if request.method == "POST" and form.is_valid():
        try:
            indicator = call_service(form, services.indicator_create, **form.cleaned_data, actor=_user(request))
        except PermissionDenied:
            form.add_error(None, _("Only the big-data center manages the catalogue."))
        else:
            if indicator is not None:
                messages.success(request, _("The indicator is defined; it is computed after each load."))
                return redirect("datacenter:indicators")
    return render(request, "datacenter/form.html",
                  {"form": form, "title": _("Define an indicator"), "submit": _("Save")})  # fmt: skip
