"""Pages of the organisation. Reads through selectors, writes through services, rights through bureau.permissions."""

from __future__ import annotations

import datetime
from base64 import b32encode

import qrcode
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from qrcode.image.svg import SvgPathImage

from core.forms import call_service
from core.permissions import require_perm

from . import permissions, selectors, services
from .choices import TransferStatus
from .filtersets import NotificationFilterSet, PersonFilterSet, TransferFilterSet, UnitFilterSet
from .forms import (
    ApiTokenForm,
    AppointmentEndForm,
    AppointmentForm,
    AsOfForm,
    CountyMirrorForm,
    TransferAdvanceForm,
    TransferCancelForm,
    TransferPlanForm,
    TwoFactorCodeForm,
)
from .middleware import HAS_DEVICE_SESSION_KEY, needs_second_factor
from .models import ApiToken, Appointment, Unit, User
from .notifications import kind_labels
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
    filterset = PersonFilterSet(request.GET or None, queryset=selectors.person_list(user=request.user), request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    posts = selectors.posts_held_on(list(page.object_list), timezone.localdate())
    for person in page.object_list:
        person.posts_held = posts.get(person.pk, [])
    return render(request, "bureau/person_list.html", {"filterset": filterset, "page": page})


@login_required
@require_perm("bureau.view_person")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(selectors.person_list(user=request.user), pk=pk)
    form, day = _as_of(request)
    appointments, transfers = selectors.person_history(person, user=request.user)
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
    filterset = TransferFilterSet(
        request.GET or None, queryset=selectors.transfer_list(user=request.user), request=request
    )
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "bureau/transfer_list.html", {"filterset": filterset, "page": page})


@login_required
@require_perm("bureau.view_notification")
def notification_list(request: HttpRequest) -> HttpResponse:
    """The notices to the user's unit, newest first; the whole list's first page marks them all as seen."""
    user = _user(request)
    filterset = NotificationFilterSet(request.GET or None, queryset=selectors.notification_list(user=user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    if page.number == 1 and page.object_list and not request.GET.get("kind"):
        services.notifications_mark_seen(actor=user, up_to=page.object_list[0].created_at)
    labels = kind_labels()
    for note in page.object_list:
        note.kind_label = labels.get(note.kind, "")
    return render(request, "bureau/notification_list.html", {"filterset": filterset, "page": page})


@login_required
@require_perm("bureau.add_transfer")
def transfer_plan(request: HttpRequest) -> HttpResponse:
    people = selectors.person_list(user=request.user)
    units = permissions.visible_units(request.user, "change").order_by("path")
    initial = {"person": request.GET.get("person"), "planned_on": timezone.localdate()}
    divisions = selectors.transfer_divisions(user=request.user)
    form = TransferPlanForm(
        request.POST or None, initial=initial, people=people, units=units, divisions=divisions,
        may_override_quota=permissions.may_override_quota(request.user),
    )  # fmt: skip
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
            "may_override_quota": permissions.may_override_quota(request.user),
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


# --- two-factor sign-in ---


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _qr_svg(url: str) -> str:
    """The provisioning address as an SVG QR code, drawn on the server (no script on the page)."""
    image = qrcode.make(url, image_factory=SvgPathImage, box_size=8, border=2)
    svg: str = image.to_string(encoding="unicode")
    return svg


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app (or a recovery code)."""
    user = _user(request)
    if not needs_second_factor(request):
        return redirect(_safe_next(request))
    if not services.two_factor_has_device(user=user):
        return redirect(f"{reverse('bureau:two-factor-setup')}?{urlencode({'next': _safe_next(request)})}")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Held back by earlier wrong codes, the app's code is not even tried (a recovery code still is).
        wait = services.two_factor_wait_seconds(user=user)
        device = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()  # a new session key once the sign-in is complete
            otp_login(request, device)
            request.session[HAS_DEVICE_SESSION_KEY] = True
            return redirect(_safe_next(request))
        if wait:
            form.add_error(
                "code", _("Too many wrong codes: wait %(seconds)d seconds, then try again.") % {"seconds": wait}
            )
        else:
            form.add_error("code", _("The code is not correct or has expired. Enter the code your app shows now."))
    return render(request, "bureau/two_factor_verify.html", {"form": form, "next": _safe_next(request)})


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with a code, keep the recovery codes."""
    user = _user(request)
    if services.two_factor_has_device(user=user) and not getattr(user, "is_verified")():  # noqa: B009
        # Whoever knows only the password cannot replace the authenticator.
        return redirect(f"{reverse('bureau:two-factor-verify')}?{urlencode({'next': _safe_next(request)})}")
    device = services.two_factor_start(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = call_service(
            form, services.two_factor_confirm, user=user, device=device, code=form.cleaned_data["code"]
        )
        if codes is not None:
            device.refresh_from_db()
            request.session.cycle_key()
            otp_login(request, device)
            request.session[HAS_DEVICE_SESSION_KEY] = True
            return render(request, "bureau/two_factor_recovery.html", {"codes": codes, "next": _safe_next(request)})
    key = b32encode(device.bin_key).decode()
    return render(
        request,
        "bureau/two_factor_setup.html",
        {
            "form": form, "next": _safe_next(request), "qr_svg": _qr_svg(device.config_url),
            "manual_key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            "required": permissions.two_factor_required(user),
        },
    )  # fmt: skip


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "bureau/account.html",
        {"has_device": services.two_factor_has_device(user=user), "required": permissions.two_factor_required(user)},
    )


# --- department API tokens ---


@login_required
@require_perm("bureau.add_apitoken")
def api_token_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.api_token_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "bureau/api_token_list.html", {"page": page, "today": timezone.localdate()})


def _managed_token(request: HttpRequest, pk: int) -> ApiToken:
    """A token the user may change (an invisible one is a 404)."""
    return get_object_or_404(permissions.restrict(ApiToken.objects.all(), request.user, "change"), pk=pk)


def _secret_page(request: HttpRequest, token: ApiToken, secret: str) -> HttpResponse:
    response = render(request, "bureau/api_token_secret.html", {"token": token, "secret": secret})
    add_never_cache_headers(response)
    return response


@login_required
@require_perm("bureau.add_apitoken")
def api_token_create(request: HttpRequest) -> HttpResponse:
    initial = {"expires_on": timezone.localdate() + datetime.timedelta(days=90)}
    form = ApiTokenForm(
        request.POST or None, initial=initial, accounts=selectors.api_client_accounts(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        issued = call_service(form, services.api_token_create, actor=_user(request), **form.cleaned_data)
        if issued is not None:
            return _secret_page(request, *issued)
    return render(request, "bureau/api_token_form.html", {"form": form})


@login_required
@require_POST
@require_perm("bureau.change_apitoken")
def api_token_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    token = _managed_token(request, pk)
    try:
        new, secret = services.api_token_rotate(token=token, actor=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("bureau:api-token-list")
    return _secret_page(request, new, secret)


@login_required
@require_POST
@require_perm("bureau.change_apitoken")
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = _managed_token(request, pk)
    try:
        services.api_token_revoke(token=token, actor=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The token %(token)s is revoked.") % {"token": token})
    return redirect("bureau:api-token-list")
