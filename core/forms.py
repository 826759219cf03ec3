from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bureau.models import User

from .selectors import audit_users, tracked_models


class DateInput(forms.DateInput):
    """A browser date picker; its value is always ISO (YYYY-MM-DD), whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format or "%Y-%m-%d")


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("Record type"), required=False)
    object_id = forms.CharField(label=_("Record ID"), required=False, max_length=64)
    # The accounts the viewer may see only (set in __init__).
    user = forms.ModelChoiceField(label=_("User"), required=False, queryset=User.objects.none())
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    include_computed = forms.BooleanField(
        label=_("Include recomputations"),
        required=False,
        help_text=_("Updates that changed only computed values, such as an indicator's last computation."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, viewer: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = audit_users(viewer)
        model_field = self.fields["model"]
        assert isinstance(model_field, forms.ChoiceField)
        choices: list[tuple[str, str]] = [("", str(_("All")))]
        for label, event_model in tracked_models().items():
            choices.append((label, str(event_model.pgh_tracked_model._meta.verbose_name)))  # type: ignore[attr-defined]
        model_field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("The start date must not be after the end date."))
        return data


T = TypeVar("T")


def call_service(form: forms.Form, service: Callable[..., T], **kwargs: Any) -> T | None:
    """Run a service for a page's form; its ValidationError becomes the form's errors (None is returned).

    Errors on fields the form shows stay on those fields; the rest go to the top of the form.
    PermissionDenied is not caught: the page answers 403.
    """
    try:
        return service(**kwargs)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError as the form's errors: on the fields it shows, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
