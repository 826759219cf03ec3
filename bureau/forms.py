"""Page forms of the organisation. They validate input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import DateInput

from . import permissions, services
from .choices import UnitKind
from .fields import PersonChoiceField, UnitChoiceField
from .models import Person, Post, Unit, User
from .roles import Role


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput)


class AppointmentForm(forms.Form):
    post = forms.ModelChoiceField(label=pgettext_lazy("organisation", "Post"), queryset=Post.objects.none())
    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none())
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DateInput)
    is_concurrent = forms.BooleanField(label=_("Concurrent (兼任)"), required=False)
    on_behalf_of = UnitChoiceField(label=_("On behalf of"), queryset=Unit.objects.all(), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args: Any, unit: Unit, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = unit.posts.order_by("sort_order", "pk")  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class AppointmentEndForm(forms.Form):
    end_date = forms.DateField(label=_("Last day in the post"), widget=DateInput)


class TransferPlanForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none(), required=False)
    division = UnitChoiceField(
        label=_("Or a whole division"),
        help_text=_("Everyone holding a full-time post in it on the planned date is transferred, as one batch."),
        queryset=Unit.objects.none(),
        required=False,
    )
    to_unit = UnitChoiceField(label=_("Transfer into"), queryset=Unit.objects.none())
    planned_on = forms.DateField(label=_("Planned on"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    quota_override_reason = forms.CharField(
        label=_("Headcount override reason"),
        help_text=_("Only administrators may exceed a quota, and only with a reason."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(
        self, *args: Any, people: Any, units: Any, divisions: Any, may_override_quota: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["to_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["division"].queryset = divisions  # type: ignore[attr-defined]
        if not may_override_quota:  # only administrators exceed a quota (bureau.permissions.may_override_quota)
            del self.fields["quota_override_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("person")) == bool(data.get("division")):
            raise forms.ValidationError(_("Choose either one person or a whole division."))
        return data


class TransferAdvanceForm(forms.Form):
    effective_date = forms.DateField(
        label=_("Effective date"),
        required=False,
        widget=DateInput,
        help_text=_("Empty: today, or one year after the virtual phase began for the physical phase."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    quota_override_reason = forms.CharField(
        label=_("Headcount override reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferCancelForm(forms.Form):
    effective_date = forms.DateField(label=_("Effective date"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CountyMirrorForm(forms.Form):
    source = UnitChoiceField(label=_("Copy the structure of"), queryset=Unit.objects.none())
    parent = UnitChoiceField(label=_("Place under"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (UnitKind.COUNTY_BUREAU, UnitKind.COUNTY_BUREAU.label),
            (UnitKind.ZONE_BUREAU, UnitKind.ZONE_BUREAU.label),
        ],
    )
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=128)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bureaus = Unit.objects.filter(kind__in=[UnitKind.BUREAU, UnitKind.COUNTY_BUREAU]).order_by("path")
        self.fields["source"].queryset = bureaus  # type: ignore[attr-defined]
        self.fields["parent"].queryset = bureaus  # type: ignore[attr-defined]


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.username} · {obj.unit}"


class ApiTokenForm(forms.Form):
    user = AccountChoiceField(label=_("Department API account"), queryset=User.objects.none())
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. the system using it.")
    )
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput)

    def __init__(self, *args: Any, accounts: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = accounts
        self.fields["expires_on"].help_text = _("At most %(days)d days from today.") % {
            "days": settings.API_TOKEN_MAX_DAYS
        }


class SignInForm(auth_forms.AuthenticationForm):
    """The pages' sign-in. A department system's account (its only role the API client's) works through the
    API alone: a password that opened pages too would be a person's way into a machine's account."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if permissions.user_roles(user) == {Role.API_CLIENT}:
            raise forms.ValidationError(
                _(
                    "This account belongs to a department's system and works through the API only "
                    "(with a token); it cannot sign in to the pages."
                ),
                code="api_client",
            )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """A user's change of their own password; the service also revokes the API tokens the old one got."""

    def save(self, commit: bool = True) -> Any:
        services.user_password_change(user=self.user, password=self.cleaned_data["new_password1"], actor=self.user)
        return self.user


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """A superuser's change of someone's password in /admin/, through the same service."""

    def save(self, commit: bool = True) -> Any:
        usable = self.cleaned_data.get("set_usable_password", True)
        services.user_password_change(
            user=self.user, password=self.cleaned_data["password1"] if usable else None, actor=None
        )
        return self.user
