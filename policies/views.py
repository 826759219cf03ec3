"""Pages of the catalogue: thin, reads through selectors, writes through services."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bureau.permissions import visible_units
from core.forms import add_service_errors
from core.permissions import require_perm
from core.search import highlight

from . import registry, selectors, services, workflows
from .choices import PolicyStatus, PolicyTier
from .filtersets import LegacyPolicyFilterSet, PolicyFilterSet
from .forms import (
    AttachmentForm,
    CoverageForm,
    InterpretationForm,
    LegacyImportForm,
    NoteForm,
    PolicyForm,
    RepealForm,
)
from .models import Policy

PAGE_SIZE = 20


def _user(request: HttpRequest) -> Any:
    return request.user


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_perm("policies.view_policy")
def index(request: HttpRequest) -> HttpResponse:
    filterset = PolicyFilterSet(request.GET or None, queryset=selectors.policy_list(user=request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    q = filterset.form.cleaned_data.get("q", "") if filterset.is_bound and filterset.form.is_valid() else ""
    rows = [(policy, highlight(policy.full_text, q) if q else None) for policy in page.object_list]
    context = {
        "filterset": filterset,
        "page": page,
        "rows": rows,
        "q": q,
        "can_add": request.user.has_perm("policies.add_policy"),
    }
    template = "policies/_results.html" if getattr(request, "htmx", False) else "policies/index.html"
    return render(request, template, context)


@login_required
@require_perm("policies.view_policy")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    policy = selectors.policy_get(user=user, pk=pk)
    may_change = selectors.may_change(user=user, policy=policy)
    actions = workflows.next_statuses(user, policy.status) if may_change else []
    context = {
        "policy": policy,
        "master": selectors.policy_master(user=user, policy=policy),
        "versions": selectors.policy_versions(user=user, policy=policy),
        "steps": selectors.policy_steps(user=user, policy=policy),
        "interpretations": selectors.policy_interpretations(user=user, policy=policy),
        "attachments": selectors.policy_attachments(user=user, policy=policy),
        "legacy": selectors.legacy_replaced_by(user=user, policy=policy),
        "sub_policies": selectors.policy_list(user=user).filter(master=policy),
        "sections": registry.policy_sections(policy=policy, user=user),
        "may_change": may_change,
        "actions": actions,
        "S": PolicyStatus,
        "attachment_form": AttachmentForm(),
    }
    return render(request, "policies/detail.html", context)


def _policy_form(request: HttpRequest, data: Any = None, initial: dict[str, Any] | None = None) -> PolicyForm:
    user = _user(request)
    return PolicyForm(
        data,
        initial=initial,
        units=visible_units(user, "add").order_by("path"),
        masters=selectors.master_plans(user=user),
        fields=selectors.active_fields(),
    )


def _values(form: PolicyForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["fields"] = data.pop("policy_fields")
    return data


@login_required
@require_perm("policies.add_policy")
def create(request: HttpRequest) -> HttpResponse:
    form = _policy_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_create(actor=_user(request), **_values(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("policies:detail", pk=policy.pk)
    return render(request, "policies/form.html", {"form": form, "title": _("New policy")})


@login_required
@require_perm("policies.change_policy")
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = selectors.policy_for_change(user=request.user, pk=pk)
    form = _policy_form(request, request.POST or None, initial=PolicyForm.initial_from(policy))
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(actor=_user(request), policy=policy, **_values(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("policies:detail", pk=policy.pk)
    return render(request, "policies/form.html", {"form": form, "policy": policy, "title": _("Edit policy")})


TRANSITIONS: dict[str, Callable[..., Policy]] = {
    "submit": services.policy_submit,
    "publish": services.policy_publish,
    "expire": services.policy_expire,
}


@login_required
@require_POST
@require_perm("policies.change_policy")
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    policy = selectors.policy_for_change(user=request.user, pk=pk)
    try:
        if action == "return":
            form = NoteForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            services.policy_return(actor=_user(request), policy=policy, note=note)
        elif action == "amend":
            amendment = services.policy_amend(actor=_user(request), policy=policy)
            messages.success(request, _("A new version was started as a draft."))
            return redirect("policies:edit", pk=amendment.pk)
        elif action in TRANSITIONS:
            TRANSITIONS[action](actor=_user(request), policy=policy)
        else:
            raise Http404
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("policies:detail", pk=policy.pk)


@login_required
@require_perm("policies.change_policy")
def repeal(request: HttpRequest, pk: int) -> HttpResponse:
    policy = selectors.policy_for_change(user=request.user, pk=pk)
    candidates = (
        selectors.policy_list(user=request.user).filter(status=PolicyStatus.PUBLISHED).exclude(lineage=policy.lineage)
    )
    form = RepealForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_repeal(actor=_user(request), policy=policy, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The policy was repealed."))
            return redirect("policies:detail", pk=policy.pk)
    return render(request, "policies/repeal.html", {"form": form, "policy": policy})


@login_required
@require_perm("policies.view_policy")
def diff(request: HttpRequest, pk: int) -> HttpResponse:
    policy = selectors.policy_get(user=request.user, pk=pk)
    versions = list(selectors.policy_versions(user=request.user, policy=policy))
    against_id = request.GET.get("against") or policy.previous_id
    older = next((v for v in versions if str(v.pk) == str(against_id)), None)
    if older is None:
        raise Http404
    old, new = sorted((older, policy), key=lambda p: p.version)
    context = {
        "policy": policy,
        "old": old,
        "new": new,
        "diffs": selectors.version_diff(old, new),
        "versions": versions,
    }
    return render(request, "policies/diff.html", context)


@login_required
@require_POST
@require_perm("policies.change_policy")
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    policy = selectors.policy_for_change(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(actor=_user(request), policy=policy, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("The attachment was added."))
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect("policies:detail", pk=policy.pk)


@login_required
@require_perm("policies.view_policy")
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_perm("policies.add_interpretation")
def interpretation_create(request: HttpRequest, pk: int) -> HttpResponse:
    policy = selectors.policy_for_change(user=request.user, pk=pk)
    form = InterpretationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.interpretation_add(actor=_user(request), policy=policy, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The interpretation was added."))
            return redirect("policies:detail", pk=policy.pk)
    return render(
        request, "policies/form.html", {"form": form, "policy": policy, "title": _("New interpretation document")}
    )


@login_required
@require_perm("policies.view_legacypolicy")
def legacy_index(request: HttpRequest) -> HttpResponse:
    filterset = LegacyPolicyFilterSet(request.GET or None, queryset=selectors.legacy_list(user=request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_import = request.user.has_perm("policies.add_legacypolicy")
    return render(
        request, "policies/legacy_index.html", {"filterset": filterset, "page": page, "can_import": can_import}
    )


@login_required
@require_perm("policies.view_legacypolicy")
def legacy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    legacy = selectors.legacy_get(user=request.user, pk=pk)
    return render(request, "policies/legacy_detail.html", {"legacy": legacy})


@login_required
@require_perm("policies.add_legacypolicy")
def legacy_import(request: HttpRequest) -> HttpResponse:
    form = LegacyImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.legacy_import(actor=_user(request), filename=upload.name, content=upload.read())
        except ValidationError as exc:
            form.add_error("file", exc)
    return render(request, "policies/legacy_import.html", {"form": form, "report": report})


@login_required
@require_perm("policies.view_policy")
def coverage(request: HttpRequest) -> HttpResponse:
    # Like the organisation chart's, the date starts filled in with today.
    form = CoverageForm(request.GET or None, initial={"as_of": timezone.localdate()})
    as_of: datetime.date = timezone.localdate()
    if form.is_bound and form.is_valid() and form.cleaned_data["as_of"]:
        as_of = form.cleaned_data["as_of"]
    matrix = selectors.coverage(user=request.user, as_of=as_of)
    return render(
        request, "policies/coverage.html",
        {"form": form, "coverage": matrix, "data": matrix.as_json(), "sub_tier": PolicyTier.SUB},
    )  # fmt: skip
