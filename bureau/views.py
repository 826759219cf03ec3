"""Pages of the organisation. Reads through selectors, writes through services, rights through bureau.permissions."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import call_service
from core.permissions import require_perm

from . import permissions, selectors, services
from .choices import TransferStatus
from .filtersets import PersonFilterSet, TransferFilterSet, UnitFilterSet
from .forms import (
    AppointmentEndForm,
    AppointmentForm,
    AsOfForm,
    CountyMirrorForm,
    TransferAdvanceForm,
    TransferCancelForm,
    TransferPlanForm,
)
from .models import Appointment, Unit, User
from .roles import Role
from .workflows import NEXT_PHASE


def _as_of(request: HttpRequest) -> tuple[AsOfForm, datetime.date]:
    form = AsOfForm(request.GET or None, initial={"as_of": timezone.localdate()})
    day = form.cleaned_data.get("as_of") if form.is_valid() else None
    return form, day or timezone.localdate()


def _chart_labels() -> dict[str, str]:
    """Strings and URLs the chart repeats for every holder, computed once per page."""
    return {
        "person_url": reverse("bureau:person-list"),
        "concurrent_label": _("Concurrent"),
        "concurrent_short": _("concurrent"),
        "on_behalf_label": _("on behalf of"),
    }


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_perm("bureau.view_unit")
def org_chart(request: HttpRequest) -> HttpResponse:
    form, day = _as_of(request)
    nodes = selectors.org_chart(user=request.user, day=day)
    return render(request, "bureau/org_chart.html", {"form": form, "day": day, "nodes": nodes, **_chart_labels()})


@login_required
@require_perm("bureau.view_unit")
def unit_list(request: HttpRequest) -> HttpResponse:
    filterset = UnitFilterSet(request.GET or None, queryset=selectors.unit_list(user=request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "bureau/unit_list.html", {"filterset": filterset, "page": page})


@login_required
@require_perm("bureau.view_unit")
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(selectors.unit_list(user=request.user), pk=pk)
    form, day = _as_of(request)
    nodes = selectors.org_chart(user=request.user, day=day, root=unit)
    can_appoint = permissions.may_act_in_unit(request.user, "add", Appointment, unit)
    return render(
        request,
        "bureau/unit_detail.html",
        {"unit": unit, "form": form, "day": day, "node": nodes[0] if nodes else None, "children": nodes[1:],
         "can_appoint": can_appoint, **_chart_labels()},
    )  # fmt: skip


@login_required
@require_perm("bureau.add_appointment")
def appointment_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(permissions.visible_units(request.user, "change"), pk=pk)
    people = selectors.person_list(user=request.user)
    form = AppointmentForm(request.POST or None, unit=unit, people=people)
    if request.method == "POST" and form.is_valid():
        appointment = call_service(form, services.appointment_create, actor=_user(request), **form.cleaned_data)
        if appointment is not None:
            messages.success(
                request,
                _("%(person)s is appointed %(post)s.") % {"person": appointment.person, "post": appointment.post.title},
            )
            return redirect("bureau:unit-detail", pk=unit.pk)
    return render(request, "bureau/appointment_form.html", {"unit": unit, "form": form})


@login_required
@require_POST
@require_perm("bureau.change_appointment")
def appointment_end(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(
        permissions.restrict(Appointment.objects.select_related("person"), request.user, "change"), pk=pk
    )
    form = AppointmentEndForm(request.POST)
    ended = None
    if form.is_valid():
        ended = call_service(
            form, services.appointment_end, actor=_user(request), appointment=appointment, **form.cleaned_data
        )
    if ended is not None:
        messages.success(request, _("The appointment ends on %(day)s.") % {"day": form.cleaned_data["end_date"]})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("bureau:person-detail", pk=appointment.person_id)


@login_required
@require_perm("bureau.view_person")
def person_list(request: HttpRequest) -> HttpResponse:
    filterset = PersonFilterSet(request.GET or None, queryset=selectors.person_list(user=request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "bureau/person_list.html", {"filterset": filterset, "page": page})


@login_required
@require_perm("bureau.view_person")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(selectors.person_list(user=request.user), pk=pk)
    form, day = _as_of(request)
    appointments, transfers = selectors.person_history(person)
    return render(
        request,
        "bureau/person_detail.html",
        {
            "person": person, "form": form, "day": day, "placement": selectors.placement_on(person, day),
            "appointments": appointments, "transfers": transfers, "end_form": AppointmentEndForm(),
            "can_change_appointments": request.user.has_perm("bureau.change_appointment"),
            "can_plan": request.user.has_perm("bureau.add_transfer"),
        },
    )  # fmt: skip


@login_required
@require_perm("bureau.view_transfer")
def transfer_list(request: HttpRequest) -> HttpResponse:
    filterset = TransferFilterSet(request.GET or None, queryset=selectors.transfer_list(user=request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "bureau/transfer_list.html", {"filterset": filterset, "page": page})


@login_required
@require_perm("bureau.add_transfer")
def transfer_plan(request: HttpRequest) -> HttpResponse:
    people = selectors.person_list(user=request.user)
    units = permissions.visible_units(request.user, "change").order_by("path")
    initial = {"person": request.GET.get("person"), "planned_on": timezone.localdate()}
    form = TransferPlanForm(request.POST or None, initial=initial, people=people, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person, division = data.pop("person"), data.pop("division")
        if division is not None:
            batch = call_service(form, services.transfer_plan_division, actor=_user(request), division=division, **data)
            if batch is not None:
                messages.success(request, _("%(n)d transfers are planned as one batch.") % {"n": len(batch)})
                return redirect(f"{reverse('bureau:transfer-list')}?batch={batch[0].batch}")
        else:
            transfer = call_service(form, services.transfer_plan, actor=_user(request), person=person, **data)
            if transfer is not None:
                messages.success(request, _("The transfer of %(person)s is planned.") % {"person": transfer.person})
                return redirect("bureau:transfer-detail", pk=transfer.pk)
    return render(request, "bureau/transfer_plan.html", {"form": form})


@login_required
@require_perm("bureau.view_transfer")
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(selectors.transfer_list(user=request.user).prefetch_related("steps__actor"), pk=pk)
    may_move = permissions.can(request.user, "change", transfer) and (
        request.user.is_superuser or permissions.has_role(request.user, Role.BUREAU_STAFF, Role.ADMIN)
    )
    advance_form = TransferAdvanceForm()
    cancel_form = TransferCancelForm(initial={"effective_date": timezone.localdate()})
    if request.method == "POST" and may_move:
        if "cancel" in request.POST:
            cancel_form = TransferCancelForm(request.POST)
            if (
                cancel_form.is_valid()
                and call_service(
                    cancel_form,
                    services.transfer_cancel,
                    actor=_user(request),
                    transfer=transfer,
                    **cancel_form.cleaned_data,
                )
                is not None
            ):
                messages.success(request, _("The transfer is cancelled."))
                return redirect("bureau:transfer-detail", pk=transfer.pk)
        else:
            advance_form = TransferAdvanceForm(request.POST)
            if (
                advance_form.is_valid()
                and call_service(
                    advance_form,
                    services.transfer_advance,
                    actor=_user(request),
                    transfer=transfer,
                    **advance_form.cleaned_data,
                )
                is not None
            ):
                messages.success(request, _("The transfer moved to its next phase."))
                return redirect("bureau:transfer-detail", pk=transfer.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "bureau/transfer_detail.html",
        {
            "transfer": transfer, "may_move": may_move, "next_phase": NEXT_PHASE.get(TransferStatus(transfer.status)),
            "advance_form": advance_form, "cancel_form": cancel_form,
            "is_admin": request.user.is_superuser or permissions.has_role(request.user, Role.ADMIN),
        },
    )  # fmt: skip


@login_required
def county_mirror(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_superuser or permissions.has_role(request.user, Role.ADMIN)):
        raise PermissionDenied
    city_bureau = Unit.objects.filter(kind="bureau").order_by("path").first()
    form = CountyMirrorForm(request.POST or None, initial={"source": city_bureau, "parent": city_bureau})
    if request.method == "POST" and form.is_valid():
        unit = call_service(form, services.county_bureau_mirror, actor=_user(request), **form.cleaned_data)
        if unit is not None:
            messages.success(
                request,
                _("%(unit)s was created with the structure of %(source)s.")
                % {"unit": unit, "source": form.cleaned_data["source"]},
            )
            return redirect("bureau:unit-detail", pk=unit.pk)
    return render(request, "bureau/county_mirror.html", {"form": form})
