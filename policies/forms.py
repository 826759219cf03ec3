"""Thin forms: they parse input; the services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bureau.fields import UnitChoiceField
from bureau.models import Unit
from core.forms import DateInput

from . import imports
from .choices import ChainSegment, PolicyTier, PolicyTopic
from .models import Policy, PolicyField


def date_input() -> DateInput:
    """A date picker whose value is ISO (the browser's date input reads no localised format)."""
    return DateInput(format="%Y-%m-%d")


class PolicyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    document_number = forms.CharField(
        label=_("Document number"), max_length=64, required=False, help_text=_("For example 温政发〔2014〕12号")
    )
    issuing_authority = UnitChoiceField(label=_("Issuing authority"), queryset=Unit.objects.none())
    tier = forms.ChoiceField(label=_("Place in 1+X"), choices=PolicyTier.choices)
    master = forms.ModelChoiceField(label=_("Master plan"), queryset=Policy.objects.none(), required=False)
    written_on = forms.DateField(label=_("Date written"), required=False, widget=date_input())
    published_on = forms.DateField(label=_("Date published"), required=False, widget=date_input())
    effective_on = forms.DateField(label=_("Effective date"), required=False, widget=date_input())
    expires_on = forms.DateField(label=_("Expiry date"), required=False, widget=date_input())
    segments = forms.MultipleChoiceField(
        label=_("Chain segments"), choices=ChainSegment.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    policy_fields = forms.ModelMultipleChoiceField(
        label=_("Fields"), queryset=PolicyField.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=PolicyTopic.choices)
    keywords = forms.CharField(
        label=_("Keywords"), required=False, max_length=500, help_text=_("Separate keywords with commas.")
    )
    full_text = forms.CharField(label=_("Full text"), required=False, widget=forms.Textarea(attrs={"rows": 14}))

    def __init__(
        self, *args: Any, units: QuerySet[Unit], masters: QuerySet[Policy], fields: QuerySet[PolicyField], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuing_authority"].queryset = units  # type: ignore[attr-defined]
        self.fields["master"].queryset = masters  # type: ignore[attr-defined]
        self.fields["policy_fields"].queryset = fields  # type: ignore[attr-defined]

    def clean_keywords(self) -> list[str]:
        raw = self.cleaned_data.get("keywords") or ""
        return [k.strip() for k in re.split(r"[,，、;；\s]+", raw) if k.strip()][:20]

    @staticmethod
    def initial_from(policy: Policy) -> dict[str, Any]:
        return {
            "title": policy.title,
            "document_number": policy.document_number,
            "issuing_authority": policy.issuing_authority_id,
            "tier": policy.tier,
            "master": policy.master_id,
            "written_on": policy.written_on,
            "published_on": policy.published_on,
            "effective_on": policy.effective_on,
            "expires_on": policy.expires_on,
            "segments": policy.segments,
            "policy_fields": list(policy.fields.all()),
            "topic": policy.topic,
            "keywords": "，".join(policy.keywords),
            "full_text": policy.full_text,
        }


class RepealForm(forms.Form):
    replaced_by = forms.ModelChoiceField(
        label=_("Repealed by catalogue policy"), queryset=Policy.objects.none(), required=False
    )
    repealing_document = forms.CharField(
        label=_("Or the repealing document"), max_length=255, required=False, help_text=_("Its title and number.")
    )
    on = forms.DateField(label=_("Repealed on"), required=False, widget=date_input())

    def __init__(self, *args: Any, candidates: QuerySet[Policy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["replaced_by"].queryset = candidates  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class InterpretationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    published_on = forms.DateField(label=_("Date published"), required=False, widget=date_input())
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))


class LegacyImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8) or XLSX, first row: 标题, 发文字号, 发文机关, 发布日期, 处理方式, 对应政策文号, 备注"),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        imports.check_size(upload.size)  # before the view reads it into memory
        return upload


class CoverageForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=date_input())
