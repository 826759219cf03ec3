from __future__ import annotations

import hmac
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from . import audit, selectors
from . import metrics as metrics_registry
from .api.errors import json_error
from .forms import AuditFilterForm
from .health import UP, portal_health
from .permissions import require_perm

# The errors a request meets while PostgreSQL is down or restarting.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

EVENT_ACTIONS = {
    "insert": gettext_lazy("Created"),
    "update": gettext_lazy("Changed"),
    "delete": gettext_lazy("Deleted"),
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = portal_health()
    healthy = all(state == UP for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for addresses in METRICS_ALLOWED_IPS or a bearer of METRICS_TOKEN only."""
    token = settings.METRICS_TOKEN
    bearer = request.headers.get("Authorization", "")
    allowed = request.META.get("REMOTE_ADDR") in settings.METRICS_ALLOWED_IPS or (
        bool(token) and hmac.compare_digest(bearer, f"Bearer {token}")
    )
    if not allowed:
        return json_error(403, "permission_denied", _("You do not have permission to perform this action."))
    return HttpResponse(generate_latest(metrics_registry.REGISTRY), content_type=CONTENT_TYPE_LATEST)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on pages without an icon link (the admin, the API docs): ours."""
    response = redirect(static("favicon.ico"), permanent=False)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@login_required
@require_perm("pghistory.view_events")
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, viewer=request.user)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    # Full readers see every event; everyone else only those of the records they may read.
    events = selectors.audit_events(viewer=request.user, **filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    models = {label: model.pgh_tracked_model for label, model in selectors.tracked_models().items()}  # type: ignore[attr-defined]
    for event in page.object_list:
        model = models.get(event.pgh_obj_model)
        event.model_name = model._meta.verbose_name if model is not None else event.pgh_obj_model
        event.action = EVENT_ACTIONS.get(event.pgh_label, event.pgh_label)
    audit.describe(list(page.object_list), models, request.user)
    return render(request, "core/audit_log.html", {"form": form, "page": page})


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return json_error(400, "bad_request", _("The request could not be understood."))
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return json_error(403, "permission_denied", _("You do not have permission to perform this action."))
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return json_error(404, "not_found", _("Not found."))
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: a lost database is an outage, not a bug.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    if is_api(request):
        return json_error(500, "server_error", _("A server error occurred."))
    return HttpResponse(render_to_string("errors/500.html"), status=500)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database is unreachable; the page template needs neither the database nor the session.

    Rendered without the request, so that no context processor (the navigation asks the user's permissions)
    reaches for the database that is down."""
    response: HttpResponse
    if is_api(request):
        response = json_error(
            503, "service_unavailable", _("The service is temporarily unavailable; try again shortly.")
        )
    else:
        response = HttpResponse(render_to_string("errors/503.html"), status=503)
    response["Retry-After"] = "30"
    return response
