"""Pages of the pooled fund. Reads through selectors, writes through services, rights through bureau.permissions."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bureau.models import User
from core.forms import call_service
from core.permissions import require_perm

from . import selectors, services
from .choices import ApplicationStatus
from .filtersets import ApplicationFilterSet
from .forms import (
    ApplicationForm,
    AssignForm,
    DecideForm,
    DisburseForm,
    ObjectForm,
    ReasonForm,
    ResolveForm,
    ReviewForm,
    ScoreForm,
    StepForm,
    SubmitForm,
    YearForm,
)
from .models import Application


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _year(request: HttpRequest, years: list[int]) -> tuple[YearForm, int | None]:
    form = YearForm(request.GET or None, years=years, initial={"year": years[0] if years else ""})
    if form.is_valid():
        return form, form.cleaned_data.get("year") or None
    return form, years[0] if years else None


@login_required
@require_perm("funds.view_programme")
def index(request: HttpRequest) -> HttpResponse:
    years = selectors.fiscal_years()
    form, year = _year(request, years)
    board = selectors.dashboard(user=request.user, year=year, years=years)
    return render(request, "funds/dashboard.html", {"board": board, "form": form, "chart": board.chart_data()})


@login_required
@require_perm("funds.view_programme")
def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    years = selectors.fiscal_years()
    _form, year = _year(request, years)
    board = selectors.dashboard(user=request.user, year=year, years=years)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Programmes"))
    sheet.append(
        [
            _("Programme"),
            _("Fiscal year"),
            _("Allocated (yuan)"),
            _("Committed (yuan)"),
            _("Disbursed (yuan)"),
            _("Available (yuan)"),
        ]
    )
    for f in board.programmes:
        sheet.append(
            [
                f.programme.name,
                f.programme.fiscal_year,
                f.allocated / 100,
                f.committed / 100,
                f.disbursed / 100,
                f.available / 100,
            ]
        )
    counties = book.create_sheet(_("By county"))
    counties.append([_("County"), _("Disbursed (yuan)")])
    for county, fen in board.by_county.items():
        counties.append([county, fen / 100])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="fund-dashboard-{year or "all"}.xlsx"'
    return response


@login_required
@require_perm("funds.view_programme")
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = selectors.programme_list(user=request.user)
    page = Paginator(programmes, 50).get_page(request.GET.get("page"))
    return render(request, "funds/programme_list.html", {"page": page})


@login_required
@require_perm("funds.view_programme")
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(selectors.programme_list(user=request.user), pk=pk)
    applications = selectors.application_list(user=request.user).filter(programme=programme)
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    return render(request, "funds/programme_detail.html", {"programme": programme, "page": page})


@login_required
@require_perm("funds.view_application")
def application_list(request: HttpRequest) -> HttpResponse:
    filterset = ApplicationFilterSet(
        request.GET or None, queryset=selectors.application_list(user=request.user), request=request
    )
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    programmes = list(selectors.programme_list(user=request.user))
    return render(
        request, "funds/application_list.html",
        {"page": page, "statuses": ApplicationStatus.choices, "programmes": programmes,
         "years": sorted({p.fiscal_year for p in programmes}, reverse=True),
         "chosen": getattr(filterset.form, "cleaned_data", {}), "q": request.GET.get("q", "").strip()},
    )  # fmt: skip


@login_required
@require_perm("funds.add_application")
def application_create(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(
        request.POST or None, programmes=selectors.programme_list(user=request.user).filter(status="open")
    )
    if request.method == "POST" and form.is_valid():
        application = call_service(form, services.application_create, actor=_user(request), **form.cleaned_data)
        if application is not None:
            messages.success(request, _("The application is saved as a draft."))
            return redirect("funds:application-detail", pk=application.pk)
    return render(request, "funds/application_form.html", {"form": form})


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = selectors.application_detail(user=request.user, pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "funds/application_detail.html", _detail_context(request, application))


def _detail_context(request: HttpRequest, application: Application, bound: forms.Form | None = None) -> dict[str, Any]:
    """The page of one application; `bound` is the step form just posted, the only one that shows its data."""
    actions = selectors.available_actions(application, request.user)
    my_review = next((r for r in application.reviews.all() if r.expert_id == request.user.pk), None)
    # Each step has a form of its own, named (and prefixed) by the step: a refusal shows in that form only.
    step_forms: dict[str, forms.Form] = {
        action: form_class(prefix=action) for action, (form_class, _run) in ACTIONS.items()
    }
    step_forms["score"] = ScoreForm(rubric=application.programme.rubric, prefix="score")
    if bound is not None and bound.prefix:
        step_forms[bound.prefix] = bound
    return {
        "application": application,
        "transfers": selectors.application_transfers(application),
        "actions": actions,
        "my_review": my_review,
        # An expert scores without seeing the others' names and scores first.
        "reviews_visible": my_review is None or my_review.scored_at is not None,
        "score_parts": selectors.score_parts(application),
        "warnings": services.priority_warnings(application, application.requested_fen)
        if application.status == ApplicationStatus.AWAITING_DECISION else [],
        "forms": step_forms,
        "enterprise_visible": selectors.enterprise_visible(application, user=request.user),
    }  # fmt: skip


# action -> (form class, the service call)
ACTIONS: dict[str, tuple[type[forms.Form], Callable[..., Any]]] = {
    "submit": (SubmitForm, lambda a, u, d: services.application_submit(actor=u, application=a, **d)),
    "review": (ReviewForm, lambda a, u, d: services.application_review(actor=u, application=a, **d)),
    "assign": (
        AssignForm,
        lambda a, u, d: services.application_assign_experts(actor=u, application=a, experts=list(d["experts"])),
    ),
    "decide": (DecideForm, lambda a, u, d: services.application_decide(actor=u, application=a, **d)),
    "object": (ObjectForm, lambda a, u, d: services.application_object(actor=u, application=a, **d)),
    "resolve": (ResolveForm, lambda a, u, d: services.application_resolve_objection(actor=u, application=a, **d)),
    "close_notice": (StepForm, lambda a, u, d: services.application_close_notice(actor=u, application=a)),
    "disburse": (DisburseForm, lambda a, u, d: services.application_disburse(actor=u, application=a, **d)),
    "accept": (ReasonForm, lambda a, u, d: services.application_accept(actor=u, application=a, **d)),
    "withdraw": (ReasonForm, lambda a, u, d: services.application_withdraw(actor=u, application=a, **d)),
    "cancel": (ReasonForm, lambda a, u, d: services.application_cancel(actor=u, application=a, **d)),
}


@login_required
@require_POST
def application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    try:
        application = selectors.application_detail(user=request.user, pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    if action == "score":
        form: Any = ScoreForm(request.POST, rubric=application.programme.rubric, prefix="score")
        if form.is_valid() and call_service(
            form, services.application_score, actor=_user(request), application=application,
            scores=form.scores(), comment=form.cleaned_data["comment"],
        ) is not None:  # fmt: skip
            messages.success(request, _("Your scores are recorded."))
            return redirect("funds:application-detail", pk=pk)
        return render(request, "funds/application_detail.html", _detail_context(request, application, form))
    if action not in ACTIONS:
        raise Http404
    form_class, run = ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        try:
            done = call_service(form, run, a=application, u=_user(request), d=form.cleaned_data)
        except PermissionDenied:
            raise
        if done is not None:
            messages.success(request, _("Done: the application is now “%(status)s”.") % {"status": _status_of(pk)})
            return redirect("funds:application-detail", pk=pk)
    application = selectors.application_detail(user=request.user, pk=pk)
    return render(request, "funds/application_detail.html", _detail_context(request, application, form))


def _status_of(pk: int) -> str:
    return str(Application.objects.get(pk=pk).get_status_display())
