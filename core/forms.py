from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .selectors import tracked_models


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("Record type"), required=False)
    object_id = forms.CharField(label=_("Record ID"), required=False, max_length=64)
    user = forms.ModelChoiceField(
        label=_("User"), required=False, queryset=get_user_model().objects.order_by("username")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field = self.fields["model"]
        assert isinstance(model_field, forms.ChoiceField)
        choices: list[tuple[str, str]] = [("", str(_("All")))]
        for label, event_model in tracked_models().items():
            choices.append((label, str(event_model.pgh_tracked_model._meta.verbose_name)))  # type: ignore[attr-defined]
        model_field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data
