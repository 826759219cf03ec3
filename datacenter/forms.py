"""Forms of the data center's pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bureau.fields import UnitChoiceField
from bureau.models import Unit

from .choices import Aggregation, EnterpriseAttribute, FieldType, Frequency, Sensitivity
from .models import DataSet, SchemaVersion


class SchemaFieldForm(forms.Form):
    """One field of a schema: a row of the schema editor. The service checks the schema as a whole."""

    name = forms.CharField(label=pgettext_lazy("schema field", "Name"), max_length=64,
                           help_text=_("Lower-case letters, digits and _; it starts with a letter."))  # fmt: skip
    label = forms.CharField(label=_("Label"), max_length=128, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices, initial=FieldType.TEXT)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(label=_("Values"), max_length=2000, required=False,
                              help_text=_("Values of an enumeration, separated by commas."))  # fmt: skip
    in_key = forms.BooleanField(label=_("Natural key"), required=False)
    maps_to = forms.ChoiceField(label=_("Feeds the enterprise master"), required=False,
                                choices=[("", "—"), *EnterpriseAttribute.choices])  # fmt: skip

    def schema_field(self) -> dict[str, Any]:
        d = self.cleaned_data
        values = [v.strip() for v in d["choices"].replace("，", ",").split(",") if v.strip()]
        return {"name": d["name"].strip(), "label": d["label"].strip(), "type": d["type"], "required": d["required"],
                "choices": values if d["type"] == FieldType.ENUM else [], "maps_to": d["maps_to"]}  # fmt: skip


class BaseSchemaFormSet(forms.BaseFormSet[SchemaFieldForm]):
    """The schema editor: rows in order, without the deleted ones; the key is the rows marked for it."""

    def rows(self) -> list[SchemaFieldForm]:
        return list(self.ordered_forms)

    def schema(self) -> tuple[list[dict[str, Any]], list[str]]:
        fields = [form.schema_field() for form in self.rows()]
        key = [form.cleaned_data["name"].strip() for form in self.rows() if form.cleaned_data["in_key"]]
        return fields, key

    def display_forms(self) -> list[SchemaFieldForm]:
        """The rows in the order the user gave them (a form sent back with errors keeps its order)."""
        if not self.is_bound:
            return list(self.forms)

        def position(item: tuple[int, Any]) -> tuple[int, int]:
            index, form = item
            raw = str(form["ORDER"].value() or "")
            return (int(raw) if raw.isdigit() else 1_000_000, index)

        return [form for _index, form in sorted(enumerate(self.forms), key=position)]

    def show_problems(self, exc: ValidationError) -> None:
        """Put the service's problems on the rows and cells they belong to."""
        rows = self.rows()
        problems = getattr(exc, "problems", None)
        if problems is None:
            self.non_form_errors().extend(exc.messages)
            return
        for row, column, message in problems:
            if row is None or row >= len(rows):
                self.non_form_errors().append(message)
            else:
                rows[row].add_error(column if column in rows[row].fields else None, message)


SchemaFormSet = forms.formset_factory(SchemaFieldForm, formset=BaseSchemaFormSet, extra=1, can_order=True,
                                      can_delete=True, max_num=200, validate_max=True)  # fmt: skip


def schema_initial(schema: SchemaVersion | None) -> list[dict[str, Any]]:
    """The editor's rows for a saved schema version."""
    if schema is None:
        return []
    key = list(schema.natural_key)
    return [{"name": f["name"], "label": f.get("label", ""), "type": f["type"], "required": bool(f.get("required")),
             "choices": ", ".join(f.get("choices") or []), "in_key": f["name"] in key, "maps_to": f.get("maps_to", ""),
             "ORDER": i} for i, f in enumerate(schema.fields, start=1)]  # fmt: skip


def schema_formset(data: Any, schema: SchemaVersion | None = None) -> BaseSchemaFormSet:
    """The editor for a data set's schema (its current version), or for a new data set's."""
    return cast(BaseSchemaFormSet, SchemaFormSet(data, initial=schema_initial(schema) or None, prefix="fields"))


class DataSetForm(forms.Form):
    owner_unit = UnitChoiceField(label=_("Owner department"), queryset=Unit.objects.none())
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

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["owner_unit"].queryset = units  # type: ignore[attr-defined]


class ShareForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Share with"),
        queryset=Unit.objects.none(),
        help_text=_("The unit and the units below it may read the data set and its records."),
    )

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
