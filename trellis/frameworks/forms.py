"""Forms of the framework pages. They check what was typed; services apply the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from trellis.frameworks.browse import AdoptionSummary
from trellis.frameworks.models import MILESTONE_LEVELS, Crosswalk, Framework, Item, is_half_step
from trellis.frameworks.selectors import default_expected_level
from trellis.people.models import Institution, Program

MAX_IMPORT_BYTES = 20 * 1024 * 1024
LEVEL_CHOICES = [(v, f"Level {v:g}") for v in MILESTONE_LEVELS]


def check_half_level(value: Decimal | None) -> None:
    if value is not None and not is_half_step(value):
        raise forms.ValidationError("Use whole or half levels, such as 2 or 2.5.")


class InstitutionChoice(forms.Form):
    """A form with an `institution` field, asked only of someone who manages in more than
    one institution; for everyone else it is their one institution."""

    only_institution: Institution | None = None

    def institution_choice(self, institutions: list[Institution]) -> None:
        self.only_institution = institutions[0] if len(institutions) == 1 else None
        if self.only_institution is not None:
            del self.fields["institution"]
        else:
            field = self.fields["institution"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Institution.objects.filter(pk__in=[i.pk for i in institutions])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.only_institution is not None:
            cleaned["institution"] = self.only_institution
        return cleaned


class ImportForm(InstitutionChoice):
    file = forms.FileField(
        label="Framework file",
        help_text=(
            "A Trellis CSV file (.csv), a 1EdTech CASE package (.json) or a MedBiquitous "
            "Competency Framework (.xml)."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.json,.xml,text/csv,application/json,application/xml"}
        ),
    )
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        label="Institution",
        help_text="Who the imported framework belongs to.",
        empty_label=None,
    )

    def __init__(self, *args: Any, institutions: list[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institution_choice(institutions)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB.")
        return upload


class AdoptForm(forms.Form):
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.none(),
        label="Framework",
        empty_label="Choose a framework",
    )
    graduation_level = forms.TypedChoiceField(
        label="Level expected by graduation",
        choices=LEVEL_CHOICES,
        coerce=Decimal,
        initial=Decimal("4"),
        help_text="Level 4 is the usual graduation target for milestones.",
    )

    def __init__(self, *args: Any, frameworks: QuerySet[Framework], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["framework"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = frameworks


class ExpectedLevelsForm(forms.Form):
    """One optional level per training year; blank means the default trajectory."""

    def __init__(self, *args: Any, summary: AdoptionSummary, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.summary = summary
        for lv in summary.levels:
            self.fields[f"year_{lv.year}"] = forms.DecimalField(
                label=f"{lv.label} expected level",
                required=False,
                min_value=Decimal(1),
                max_value=Decimal(5),
                max_digits=3,
                decimal_places=1,
                validators=[check_half_level],
                initial=None if lv.is_default else lv.level.normalize(),
                widget=forms.NumberInput(
                    attrs={"step": "0.5", "min": "1", "max": "5", "inputmode": "decimal"}
                ),
            )

    def rows(self) -> list[tuple[Any, forms.BoundField, Decimal]]:
        """(year level, its field, the default it falls back to) for the table."""
        adoption = self.summary.adoption
        return [
            (
                lv,
                self[f"year_{lv.year}"],
                default_expected_level(
                    graduation_level=adoption.graduation_level,
                    training_year=lv.year,
                    length_years=adoption.program.length_years,
                ),
            )
            for lv in self.summary.levels
        ]

    def changes(self) -> list[tuple[int, Decimal | None]]:
        """(training year, new level or None to clear) for each year that changed."""
        out = []
        for lv in self.summary.levels:
            new = self.cleaned_data.get(f"year_{lv.year}")
            old = None if lv.is_default else lv.level
            if new != old:
                out.append((lv.year, new))
        return out


class CrosswalkProposeForm(InstitutionChoice):
    target = forms.ModelChoiceField(
        queryset=Framework.objects.none(),
        label="To the version",
        empty_label="Choose a framework",
        help_text="Items are matched by code first, then by name; you review every link.",
    )
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(), label="Institution", empty_label=None
    )

    def __init__(
        self,
        *args: Any,
        targets: QuerySet[Framework],
        institutions: list[Institution],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        target = self.fields["target"]
        assert isinstance(target, forms.ModelChoiceField)
        target.queryset = targets
        self.institution_choice(institutions)


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}".strip()


class CrosswalkLinkForm(forms.Form):
    """A link to add: one item of the source version to one of the target version."""

    source_item = ItemChoiceField(
        queryset=Item.objects.none(), label="Item in the earlier version", empty_label="Choose"
    )
    target_item = ItemChoiceField(
        queryset=Item.objects.none(), label="Becomes (in part) the item", empty_label="Choose"
    )

    def __init__(self, *args: Any, crosswalk: Crosswalk, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, framework in (
            ("source_item", crosswalk.source),
            ("target_item", crosswalk.target),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = framework.items.order_by("position", "id")


class CrosswalkApplyForm(forms.Form):
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), label="Program", empty_label="Choose a program"
    )

    def __init__(self, *args: Any, programs: list[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Program.objects.filter(pk__in=[p.pk for p in programs]).order_by("name")
        field.to_field_name = "slug"
