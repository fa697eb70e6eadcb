"""Forms of the curriculum pages. They only parse input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from trellis.curriculum.models import (
    Activity,
    ActivityKind,
    AssessmentMethod,
    Emphasis,
    InstructionalMethod,
    Objective,
)
from trellis.curriculum.selectors import map_columns
from trellis.curriculum.services import ActivityData
from trellis.frameworks.models import Framework, Item
from trellis.people.models import Program

ACTIVITY_FORM_FIELDS = [
    "kind",
    "code",
    "title",
    "description",
    "parent",
    "training_year",
    "duration_hours",
    "duration_weeks",
    "required",
    "instructional_method",
    "keywords",
]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=ActivityKind.choices)
    code = forms.CharField(
        max_length=32, help_text="Short and unique in the program, e.g. IM-WARDS."
    )
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    parent = forms.ModelChoiceField(
        queryset=Activity.objects.none(),
        required=False,
        label="Part of",
        help_text="A session belongs to its course; leave empty for a stand-alone activity.",
    )
    training_year = forms.IntegerField(
        min_value=1, max_value=10, required=False, label="Year of training"
    )
    duration_hours = forms.DecimalField(
        min_value=0,
        max_digits=7,
        decimal_places=1,
        required=False,
        label="Hours",
        help_text="Contact time: a session's length, or a rotation's total hours.",
    )
    duration_weeks = forms.IntegerField(
        min_value=1,
        max_value=520,
        required=False,
        label="Weeks",
        help_text="Courses and rotations.",
    )
    required = forms.BooleanField(
        required=False, initial=True, label="Required of every learner (untick for electives)"
    )
    instructional_method = forms.ChoiceField(
        choices=[("", "Inferred from the kind")] + list(InstructionalMethod.choices),
        required=False,
        help_text="The AAMC Curriculum Inventory term.",
    )
    keywords = forms.CharField(
        max_length=500, required=False, help_text="Topics, separated by semicolons."
    )

    def __init__(self, *args: Any, program: Program, activity: Activity | None = None, **kw: Any):
        super().__init__(*args, **kw)
        parents = Activity.objects.filter(program=program)
        if activity is not None:
            parents = parents.exclude(pk=activity.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        return {name: getattr(activity, name) for name in ACTIVITY_FORM_FIELDS}

    def to_data(self) -> ActivityData:
        c = self.cleaned_data
        return ActivityData(
            kind=c["kind"],
            code=c["code"],
            title=c["title"],
            description=c["description"],
            parent=c["parent"],
            training_year=c["training_year"],
            duration_hours=c["duration_hours"],
            duration_weeks=c["duration_weeks"],
            required=c["required"],
            instructional_method=c["instructional_method"],
            keywords=c["keywords"],
        )


class ObjectiveForm(forms.Form):
    code = forms.CharField(max_length=32, required=False, help_text="e.g. WARDS-1")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Objective",
        help_text="What the learner will be able to do, e.g. “Present a new admission concisely”.",
    )


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}".strip()


class MappingForm(forms.Form):
    """One cell: an activity (or one of its objectives) against an item, with its emphases."""

    objective = forms.ModelChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        label="For",
        empty_label="The activity as a whole",
    )
    item = ItemChoiceField(queryset=Item.objects.none(), label="Framework item")
    emphases = forms.MultipleChoiceField(
        choices=Emphasis.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick none to remove the mapping.",
    )
    assessment_method = forms.ChoiceField(
        choices=[("", "—")] + list(AssessmentMethod.choices),
        required=False,
        help_text="How it is assessed, when ticked Assessed.",
    )

    def __init__(
        self, *args: Any, activity: Activity, frameworks: list[Framework], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["objective"].queryset = activity.objectives.all()  # type: ignore[attr-defined]
        groups: list[tuple[str, list[tuple[int, str]]]] = []
        ids: list[int] = []
        for framework in frameworks:
            columns = map_columns(framework=framework)
            ids += [i.pk for i in columns]
            groups.append((str(framework), [(i.pk, f"{i.code} {i.name}".strip()) for i in columns]))
        field = self.fields["item"]
        field.queryset = Item.objects.filter(pk__in=ids).select_related("framework")  # type: ignore[attr-defined]
        field.choices = [("", "Choose an item")] + groups  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("assessment_method") and Emphasis.ASSESSED not in data.get("emphases", []):
            self.add_error("assessment_method", "An assessment method goes with Assessed.")
        return data
