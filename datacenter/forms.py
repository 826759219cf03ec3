"""Forms of the data center's pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bureau.models import Unit

from .choices import Aggregation, Frequency, Sensitivity
from .models import DataSet, SchemaVersion

SCHEMA_HELP = _(
    "One field per line: name | label | type | required (yes/no) | values of an enumeration, separated by commas "
    "| enterprise attribute it feeds (name, county, industry, employees, revenue). Types: text, integer, decimal, "
    "date, boolean, enum, credit_code."
)


def schema_to_text(schema: SchemaVersion | None) -> str:
    if schema is None:
        return ""
    lines = []
    for f in schema.fields:
        required = "yes" if f.get("required") else "no"
        lines.append(" | ".join([f["name"], f.get("label", ""), f["type"], required, ",".join(f.get("choices") or []),
                                 f.get("maps_to", "")]).rstrip(" |"))  # fmt: skip
    return "\n".join(lines)


def parse_schema(text: str) -> list[dict[str, Any]]:
    fields = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + [""] * 6
        fields.append({"name": parts[0], "label": parts[1], "type": parts[2] or "text",
                       "required": parts[3].lower() in ("yes", "y", "true", "1", "是"),
                       "choices": [c.strip() for c in parts[4].replace("，", ",").split(",") if c.strip()],
                       "maps_to": parts[5]})  # fmt: skip
    return fields


class SchemaForm(forms.Form):
    schema = forms.CharField(label=pgettext_lazy("schema", "Fields"),
                             widget=forms.Textarea(attrs={"rows": 10, "class": "font-monospace"}),
                             help_text=SCHEMA_HELP)  # fmt: skip
    natural_key = forms.CharField(label=_("Natural key"), help_text=_("Field names, separated by commas."))

    def schema_fields(self) -> list[dict[str, Any]]:
        return parse_schema(self.cleaned_data["schema"])

    def key_fields(self) -> list[str]:
        return [k.strip() for k in self.cleaned_data["natural_key"].split(",") if k.strip()]


class DataSetForm(SchemaForm):
    owner_unit = forms.ModelChoiceField(label=_("Owner department"), queryset=Unit.objects.none())
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=128)
    description = forms.CharField(
        label=pgettext_lazy("data set", "Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    frequency = forms.ChoiceField(label=_("Update frequency"), choices=Frequency.choices)
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices, initial=Sensitivity.INTERNAL)
    pull_url = forms.URLField(
        label=_("Pull from URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("If the department publishes the file at an address, the center loads it nightly."),
    )

    field_order = ["owner_unit", "code", "name", "description", "frequency", "sensitivity", "pull_url", "schema",
                   "natural_key"]  # fmt: skip

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["owner_unit"].queryset = units  # type: ignore[attr-defined]


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class ShareForm(forms.Form):
    unit = UnitChoiceField(label=_("Share with"), queryset=Unit.objects.none(),
                           help_text=_("The unit and the units below it may read the data set and its records."))  # fmt: skip

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8 or GB18030), XLSX with one sheet, or JSON lines."))


class IndicatorForm(forms.Form):
    dataset = forms.ModelChoiceField(label=_("Data set"), queryset=DataSet.objects.none())
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=128)
    aggregation = forms.ChoiceField(label=_("Aggregation"), choices=Aggregation.choices)
    value_field = forms.CharField(
        label=_("Value field"), required=False, help_text=_("A number field; not for a count.")
    )
    date_field = forms.CharField(label=_("Date field"), help_text=_("Values are grouped by the month of this date."))
    county_field = forms.CharField(label=_("County field"), required=False)
    unit_label = forms.CharField(label=_("Unit of measure"), required=False, max_length=32)

    def __init__(self, *args: Any, datasets: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if datasets is not None:
            self.fields["dataset"].queryset = datasets  # type: ignore[attr-defined]
