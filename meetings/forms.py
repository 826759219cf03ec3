from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bureau.fields import UnitChoiceField
from bureau.models import Unit
from core.forms import DateInput

from .choices import AttendanceStatus, Outcome


class TimeInput(forms.TimeInput):
    input_type = "time"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def unit_field(label: Any, queryset: Any = None, required: bool = True) -> forms.ModelChoiceField[Unit]:
    return UnitChoiceField(label=label, queryset=queryset or Unit.objects.all(), required=required)


class MeetingForm(forms.Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, required=False, help_text=_("Empty: the next number."))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput)
    end_time = forms.TimeField(label=_("End time"), widget=TimeInput, required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online meeting link"), required=False, assume_scheme="https")
    convening_unit = unit_field(_("Convening division"))
    recording_unit = unit_field(_("Recording division"))
    agenda_deadline = forms.DateTimeField(label=_("Agenda deadline"), widget=DateTimeInput)


class AgendaItemForm(forms.Form):
    unit = unit_field(_("Submitting unit"))
    title = forms.CharField(label=_("Title"), max_length=200)
    background = forms.CharField(label=_("Background"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    request = forms.CharField(
        label=_("What is asked of the meeting"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class AttendanceForm(forms.Form):
    unit = unit_field(_("Member unit"))
    status = forms.ChoiceField(label=_("Attendance"), choices=AttendanceStatus.choices)
    attendee_name = forms.CharField(label=_("Attended by"), max_length=64, required=False)
    absence_reason = forms.CharField(label=_("Reason for absence"), max_length=200, required=False)


class PreambleForm(forms.Form):
    preamble = forms.CharField(label=_("General summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ItemSummaryForm(forms.Form):
    summary = forms.CharField(label=_("Minutes text"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    owner_unit = unit_field(_("Owner division"), required=False)
    due_on = forms.DateField(label=_("Due date"), widget=DateInput, required=False)
    expected_result = forms.CharField(label=_("Expected result"), max_length=1000, required=False)


class CirculateForm(forms.Form):
    comment_deadline = forms.DateTimeField(label=_("Comments until"), widget=DateTimeInput)


class CommentForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput, required=False)
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(forms.Form):
    body = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    done = forms.BooleanField(label=_("Done"), required=False)
    evidence = forms.CharField(label=_("Evidence of completion"), max_length=2000, required=False)


class BriefForm(forms.Form):
    unit = unit_field(_("Unit"))
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search minutes and decisions"), max_length=100, required=False)
