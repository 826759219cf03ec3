"""The joint meeting's pages: reads through selectors, writes through one service call each."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bureau import selectors as bureau_selectors
from bureau.models import Unit, User
from core.forms import add_service_errors
from core.permissions import require_perm
from core.search import highlight

from . import exports, selectors, services, workflows
from .choices import MinutesStatus, Outcome
from .filtersets import ActionItemFilterSet
from .forms import (
    AgendaItemForm,
    AttendanceForm,
    BriefForm,
    CirculateForm,
    CommentForm,
    ItemSummaryForm,
    MeetingForm,
    PreambleForm,
    ProgressForm,
    ReasonForm,
    SearchForm,
)
from .models import ActionItem, AgendaItem, ItemSummary, Meeting, Minutes
from .permissions import Part, parts

VIEW = "meetings.view_meeting"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _get(getter: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except (
        Meeting.DoesNotExist,
        Minutes.DoesNotExist,
        ActionItem.DoesNotExist,
        AgendaItem.DoesNotExist,
        ValueError,
    ) as exc:  # ValueError: a posted id that is no number
        raise Http404 from exc


def _attempt(request: HttpRequest, form: forms.Form | None, step: Callable[[], Any], done: str) -> bool:
    """Run one service call; its ValidationError lands on the form (or as a message), PermissionDenied is a 403."""
    try:
        step()
    except ValidationError as exc:
        if form is None:
            for message in exc.messages:
                messages.error(request, message)
            return False
        add_service_errors(form, exc)
        return False
    messages.success(request, done)
    return True


def _units(form: forms.Form, queryset: Any) -> None:
    unit_field = form.fields["unit"]
    assert isinstance(unit_field, forms.ModelChoiceField)
    unit_field.queryset = queryset


def _own_units(user: User) -> Any:
    own = user.unit
    return Unit.objects.filter(path__startswith=own.path).order_by("path") if own else Unit.objects.none()


# --- meetings ---


@login_required
@require_perm(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(selectors.meeting_list(user=user), 20).get_page(request.GET.get("page"))
    notices = bureau_selectors.notification_list(user=user)[:8]
    may_schedule = user.has_perm("meetings.add_meeting")
    return render(request, "meetings/index.html", {"page": page, "notices": notices, "may_schedule": may_schedule})


@login_required
@require_perm("meetings.add_meeting")
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result: dict[str, Meeting] = {}

        def step() -> None:
            result["m"] = services.meeting_schedule(actor=_user(request), **form.cleaned_data)

        if _attempt(request, form, step, _("The meeting is scheduled.")):
            return redirect("meetings:meeting", pk=result["m"].pk)
    return render(request, "meetings/meeting_form.html", {"form": form})


@login_required
@require_perm(VIEW)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting: Meeting = _get(selectors.meeting_detail, user=user, pk=pk)
    my_parts = parts(user, meeting=meeting)
    attendance_form = AttendanceForm()
    _units(attendance_form, Unit.objects.filter(pk__in=[m.unit_id for m in services.members_on(meeting.date)]))
    context = {
        "meeting": meeting,
        "parts": my_parts,
        "targets": workflows.targets(workflows.MEETING, meeting.status, my_parts),
        "members": services.members_on(meeting.date),
        "minutes_versions": selectors.current_minutes(user=user, meeting=meeting),
        "attendance_form": attendance_form,
        "may_record": bool(my_parts & {Part.CONVENOR, Part.RECORDER, Part.ADMIN}),
        "may_decide": bool(my_parts & {Part.CONVENOR, Part.ADMIN}),
        "may_file": Part.RECORDER in my_parts,
    }
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_POST
@require_perm(VIEW)
def meeting_transition(request: HttpRequest, pk: int) -> HttpResponse:
    meeting: Meeting = _get(selectors.meeting_detail, user=request.user, pk=pk)
    to = request.POST.get("to", "")
    _attempt(
        request, None, lambda: services.meeting_transition(actor=_user(request), meeting=meeting, to=to),
        _("The meeting is now “%(status)s”.") % {"status": workflows.LABELS.get(to, to)},
    )  # fmt: skip
    return redirect("meetings:meeting", pk=pk)


@login_required
@require_GET
@require_perm(VIEW)
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting: Meeting = _get(selectors.meeting_detail, user=request.user, pk=pk)
    response = HttpResponse(exports.meeting_ics(meeting, host=request.get_host()), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.number}.ics"'
    return response


@login_required
@require_perm("meetings.add_agendaitem")
def agenda_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting: Meeting = _get(selectors.meeting_detail, user=user, pk=pk)
    form = AgendaItemForm(request.POST or None, request.FILES or None)
    _units(form, _own_units(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def step() -> None:
            services.agenda_item_submit(
                actor=user, meeting=meeting, unit=data["unit"], title=data["title"], background=data["background"],
                request=data["request"], attachments=data["attachments"],
            )  # fmt: skip

        if _attempt(request, form, step, _("The agenda item is submitted.")):
            return redirect("meetings:meeting", pk=pk)
    return render(request, "meetings/agenda_form.html", {"form": form, "meeting": meeting})


@login_required
@require_POST
@require_perm(VIEW)
def agenda_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item: AgendaItem = _get(selectors.agenda_item_list(user=request.user).get, pk=pk)
    status = request.POST.get("status", "")
    _attempt(
        request, None, lambda: services.agenda_item_decide(actor=_user(request), item=item, status=status),
        _("The agenda item is updated."),
    )  # fmt: skip
    return redirect("meetings:meeting", pk=item.meeting_id)


@login_required
@require_POST
@require_perm(VIEW)
def agenda_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an agenda item one place up or down: the convenor orders the agenda."""
    item: AgendaItem = _get(selectors.agenda_item_list(user=request.user).get, pk=pk)
    order = list(item.meeting.agenda.order_by("position", "pk").values_list("pk", flat=True))
    at = order.index(item.pk)
    other = at - 1 if request.POST.get("direction") == "up" else at + 1
    if 0 <= other < len(order):
        order[at], order[other] = order[other], order[at]
        step = partial(services.agenda_reorder, actor=_user(request), meeting=item.meeting, order=order)
        _attempt(request, None, step, _("The agenda is reordered."))
    return redirect("meetings:meeting", pk=item.meeting_id)


@login_required
@require_GET
@require_perm(VIEW)
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        attachment = selectors.attachment_for_download(user=request.user, pk=pk)
    except Exception as exc:  # DoesNotExist of the attachment or its item
        raise Http404 from exc
    # Always a download, never shown inline, whatever the file claims to be.
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
@require_POST
@require_perm(VIEW)
def attendance_record(request: HttpRequest, pk: int) -> HttpResponse:
    meeting: Meeting = _get(selectors.meeting_detail, user=request.user, pk=pk)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        step = partial(services.attendance_record, actor=_user(request), meeting=meeting, **form.cleaned_data)
        _attempt(request, None, step, _("Attendance recorded."))
    else:
        messages.error(request, _("Check the attendance form."))
    return redirect("meetings:meeting", pk=pk)


# --- minutes ---


@login_required
@require_POST
@require_perm(VIEW)
def minutes_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting: Meeting = _get(selectors.meeting_detail, user=request.user, pk=pk)
    made: dict[str, Minutes] = {}

    def step() -> None:
        made["m"] = services.minutes_file(actor=_user(request), meeting=meeting)

    if _attempt(request, None, step, _("The draft minutes are started.")):
        return redirect("meetings:minutes", pk=made["m"].pk)
    return redirect("meetings:meeting", pk=pk)


def _minutes_context(user: User, minutes: Minutes, saved: str = "") -> dict[str, Any]:
    """The minutes page; `saved` names the agenda item whose summary was saved by the request just before."""
    my_parts = parts(user, meeting=minutes.meeting)
    editable = minutes.status == MinutesStatus.DRAFT and Part.RECORDER in my_parts
    summaries = {s.agenda_item_id: s for s in minutes.items.all()}
    rows = []
    for item in minutes.meeting.agenda.filter(status="accepted").order_by("position", "pk"):
        summary: ItemSummary | None = summaries.get(item.pk)
        initial: dict[str, Any] = {"outcome": Outcome.INFORMATION}
        if summary is not None:
            initial = {"summary": summary.summary, "outcome": summary.outcome, "owner_unit": summary.owner_unit_id,
                       "due_on": summary.due_on, "expected_result": summary.expected_result}  # fmt: skip
        rows.append({
            "item": item, "summary": summary, "form": ItemSummaryForm(initial=initial, prefix=f"i{item.pk}"),
            "just_saved": summary is not None and saved == str(item.pk),
        })  # fmt: skip
    return {
        "minutes": minutes,
        "meeting": minutes.meeting,
        "rows": rows,
        "editable": editable,
        "parts": my_parts,
        "targets": workflows.targets(workflows.MINUTES, minutes.status, my_parts),
        "preamble_form": PreambleForm(initial={"preamble": minutes.preamble}),
        "circulate_form": CirculateForm(),
        "comment_form": CommentForm(),
        "reason_form": ReasonForm(),
        "may_comment": minutes.status == MinutesStatus.CIRCULATED and bool(my_parts & workflows.MINUTES_COMMENT),
        "may_correct": minutes.status == MinutesStatus.PUBLISHED and bool(my_parts & workflows.MINUTES_CORRECTION),
        "versions": selectors.current_minutes(user=user, meeting=minutes.meeting),
    }


@login_required
@require_perm("meetings.view_minutes")
def minutes_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    minutes: Minutes = _get(selectors.minutes_detail, user=user, pk=pk)
    # The "saved" mark follows a successful save only (the redirect below names the item), never a refused one.
    context = _minutes_context(user, minutes, saved="" if request.method == "POST" else request.GET.get("saved", ""))
    if request.method == "POST":
        action = request.POST.get("action", "")
        form: forms.Form | None = None
        step: Callable[[], Any] | None = None
        done = _("Saved.")
        saved_item = ""
        if action == "preamble":
            form = PreambleForm(request.POST)
            if form.is_valid():
                text = form.cleaned_data["preamble"]
                step = partial(services.minutes_update, actor=user, minutes=minutes, preamble=text)
            context["preamble_form"] = form
        elif action == "item":
            item = _get(minutes.meeting.agenda.get, pk=request.POST.get("agenda_item"))
            form = ItemSummaryForm(request.POST, prefix=f"i{item.pk}")
            if form.is_valid():
                data = form.cleaned_data
                step = partial(services.minutes_save_item, actor=user, minutes=minutes, agenda_item=item, **data)
                saved_item = str(item.pk)
            for row in context["rows"]:
                if row["item"].pk == item.pk:
                    row["form"] = form
        elif action == "comment":
            form = CommentForm(request.POST)
            if form.is_valid():
                body, item_id = form.cleaned_data["body"], form.cleaned_data["item"]
                target = minutes.items.filter(pk=item_id).first() if item_id else None
                step = partial(services.minutes_comment, actor=user, minutes=minutes, body=body, item=target)
                done = _("Your comment is recorded.")
            context["comment_form"] = form
        elif action == "transition":
            to = request.POST.get("to", "")
            if to == MinutesStatus.CIRCULATED:
                form = CirculateForm(request.POST)
                context["circulate_form"] = form
            if form is None or form.is_valid():
                deadline = form.cleaned_data["comment_deadline"] if form is not None else None
                step = partial(
                    services.minutes_transition, actor=user, minutes=minutes, to=to, comment_deadline=deadline
                )
                done = _("The minutes are now “%(status)s”.") % {"status": workflows.LABELS.get(to, to)}
        elif action == "correct":
            form = ReasonForm(request.POST)
            if form.is_valid():
                made: dict[str, Minutes] = {}
                reason = form.cleaned_data["reason"]

                def correct() -> None:
                    made["m"] = services.minutes_correct(actor=user, minutes=minutes, reason=reason)

                if _attempt(request, form, correct, _("A corrected version is started.")):
                    return redirect("meetings:minutes", pk=made["m"].pk)
            context["reason_form"] = form
        if step is not None and _attempt(request, form, step, done):
            if saved_item:
                return redirect(f"{reverse('meetings:minutes', args=[pk])}?saved={saved_item}#item-{saved_item}")
            return redirect("meetings:minutes", pk=pk)
        return render(request, "meetings/minutes_detail.html", context, status=400)
    return render(request, "meetings/minutes_detail.html", context)


@login_required
@require_GET
@require_perm("meetings.view_minutes")
def minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    minutes: Minutes = _get(selectors.minutes_detail, user=request.user, pk=pk)
    attendance = list(minutes.meeting.attendance.select_related("unit").order_by("unit__sort_order", "unit_id"))
    content = exports.minutes_docx(minutes, list(minutes.items.all()), attendance)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="minutes-{minutes.meeting.number}-v{minutes.version}.docx"'
    return response


# --- action items ---


@login_required
@require_perm("meetings.view_actionitem")
def action_board(request: HttpRequest) -> HttpResponse:
    filterset = ActionItemFilterSet(
        request.GET or None, queryset=selectors.action_item_list(user=request.user), request=request
    )
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    # A change of filter through htmx swaps only the rows.
    template = "meetings/_action_board_rows.html" if getattr(request, "htmx", False) else "meetings/action_board.html"
    return render(request, template, {"filterset": filterset, "page": page})


@login_required
@require_perm("meetings.view_actionitem")
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item: ActionItem = _get(selectors.action_item_detail, user=user, pk=pk)
    my_parts = parts(user, meeting=item.meeting, owner_unit=item.owner_unit)
    progress_form, reason_form = ProgressForm(), ReasonForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "progress":
            progress_form = ProgressForm(request.POST)
            if progress_form.is_valid():
                data = progress_form.cleaned_data
                if _attempt(request, progress_form, lambda: services.action_progress(actor=user, item=item, **data),
                            _("Progress posted.")):  # fmt: skip
                    return redirect("meetings:action", pk=pk)
        elif action == "close":
            if _attempt(request, None, lambda: services.action_confirm_closure(actor=user, item=item),
                        _("The closure is confirmed.")):  # fmt: skip
                return redirect("meetings:action", pk=pk)
        elif action == "reopen":
            reason_form = ReasonForm(request.POST)
            if reason_form.is_valid():
                reason = reason_form.cleaned_data["reason"]
                if _attempt(request, reason_form, lambda: services.action_reopen(actor=user, item=item, reason=reason),
                            _("The action item is sent back to its owner.")):  # fmt: skip
                    return redirect("meetings:action", pk=pk)
    context = {
        "item": item,
        "may_progress": Part.OWNER in my_parts and bool(workflows.targets(workflows.ACTION, item.status, {Part.OWNER})),
        "targets": workflows.targets(workflows.ACTION, item.status, my_parts),
        "progress_form": progress_form,
        "reason_form": reason_form,
    }
    return render(request, "meetings/action_detail.html", context)


# --- briefs, statistics, search ---


@login_required
@require_perm("meetings.view_brief")
def briefs(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = BriefForm(request.POST or None)
    _units(form, _own_units(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _attempt(request, form, lambda: services.brief_post(actor=user, **data), _("The brief is posted.")):
            return redirect("meetings:briefs")
    page = Paginator(selectors.brief_list(user=user), 20).get_page(request.GET.get("page"))
    may_post = user.has_perm("meetings.add_brief")
    return render(request, "meetings/briefs.html", {"form": form, "page": page, "may_post": may_post})


@login_required
@require_perm(VIEW)
def statistics(request: HttpRequest) -> HttpResponse:
    records = selectors.member_statistics(user=request.user)
    chart = {
        "units": [r.unit.short_name or r.unit.name for r in records],
        "attendance": [r.attendance_rate for r in records],
        "on_time": [r.on_time for r in records],
        "late": [r.late for r in records],
        "labels": {"attendance": _("Attendance rate (%)"), "on_time": _("On time"), "late": _("Late")},
    }
    return render(request, "meetings/statistics.html", {"records": records, "chart": chart})


@login_required
@require_perm("meetings.view_minutes")
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    minutes, items = selectors.search_minutes(user=request.user, q=q) if q else ([], [])
    for m in minutes:
        m.snippet = highlight(m.preamble or str(m.meeting), q)  # type: ignore[attr-defined]
    for i in items:
        i.snippet = highlight(i.summary, q)  # type: ignore[attr-defined]
        i.title_marked = highlight(i.agenda_item.title, q)  # type: ignore[attr-defined]
    return render(request, "meetings/search.html", {"form": form, "q": q, "minutes": minutes, "items": items})
