"""Page forms of the fund. Amounts are typed in yuan and handed to services in fen."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bureau.models import User
from bureau.roles import Role

from .models import Programme


class YuanField(forms.DecimalField):
    """An amount in yuan with at most two decimal places; `cleaned_data` holds fen."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(max_digits=14, decimal_places=2, **kwargs)

    def clean(self, value: Any) -> int | None:
        amount = super().clean(value)
        return None if amount is None else int(amount * 100)


class ApplicationForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=32)
    enterprise_name = forms.CharField(label=_("Enterprise name"), max_length=200, required=False)
    title = forms.CharField(label=_("Project title"), max_length=200)
    requested_fen = YuanField(label=_("Amount requested (yuan)"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]


class ConfirmSelect(forms.Select):
    """A select whose options carry the question to ask before the form is sent with them chosen.

    funds/application.js copies the chosen option's `data-confirm` onto the form, where portal.js asks it.
    """

    def __init__(self, questions: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.questions = questions

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.questions:
            option["attrs"]["data-confirm"] = str(self.questions[str(value)])
        return option


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SubmitForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class StepForm(forms.Form):
    """A step that takes nothing but the click (ending the public notice)."""


class ReviewForm(ReasonForm):
    field_order = ["outcome", "reason"]
    outcome = forms.ChoiceField(
        label=_("Review outcome"),
        choices=[("pass", _("Pass to the experts")), ("return", _("Return for revision")), ("reject", _("Reject"))],
        widget=ConfirmSelect({
            "pass": _("Pass this application to the experts for scoring?"),
            "return": _("Return this application to the applicant for revision?"),
            "reject": _("Reject this application? A rejection ends the application."),
        }),
    )  # fmt: skip


class AssignForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label=_("Experts"), queryset=User.objects.filter(groups__name=Role.EXPERT, is_active=True).order_by("username")
    )


class ScoreForm(forms.Form):
    comment = forms.CharField(
        label=pgettext_lazy("fund", "Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, rubric: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        for i, criterion in enumerate(rubric):
            self.fields[f"c{i}"] = forms.IntegerField(
                label=f"{criterion['name']} (0–{criterion['max']})", min_value=0, max_value=int(criterion["max"])
            )

    def scores(self) -> dict[str, int]:
        return {c["name"]: self.cleaned_data[f"c{i}"] for i, c in enumerate(self.rubric)}


class DecideForm(ReasonForm):
    approve = forms.TypedChoiceField(
        label=pgettext_lazy("fund", "Decision"),
        choices=[("1", pgettext_lazy("fund", "Approve")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
        widget=ConfirmSelect({
            "1": _("Approve this application? The amount approved is committed at once and the public notice begins."),
            "0": _("Reject this application? A rejection ends the application."),
        }),
    )  # fmt: skip
    amount_fen = YuanField(label=_("Amount approved (yuan)"), required=False)
    field_order = ["approve", "amount_fen", "reason"]


class ObjectForm(forms.Form):
    raised_by = forms.CharField(label=_("Raised by"), max_length=200)
    content = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class DisburseForm(forms.Form):
    amount_fen = YuanField(label=_("Tranche (yuan)"))
    # Rendered once per page: submitting the same form twice pays once.
    tranche_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"tranche_key": uuid.uuid4().hex})
        super().__init__(*args, **kwargs)


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]  # type: ignore[attr-defined]
