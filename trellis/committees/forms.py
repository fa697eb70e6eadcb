"""Forms for committee pages. Level fields are built per item from the item's scale, so
a meeting screen is one select per row and one Save per learner."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from trellis.committees.models import Outcome, Review
from trellis.frameworks.models import Item
from trellis.people.models import User

NYA = "nya"


def level_str(value: Decimal) -> str:
    """A level as a form value and label: 3, 2.5 (never 3.0)."""
    return f"{Decimal(value).normalize():f}"


def level_choices(item: Item, *, allow_nya: bool = True) -> list[tuple[str, str]]:
    choices = [("", "—")]
    choices += [(level_str(v), f"Level {level_str(v)}") for v in item.accepted_levels()]
    if allow_nya:
        choices.append((NYA, "Not yet assessable"))
    return choices


def level_initial(level: Decimal | None, not_yet_assessable: bool) -> str:
    if not_yet_assessable:
        return NYA
    return level_str(level) if level is not None else ""


def parse_level(value: str) -> tuple[Decimal | None, bool]:
    """A select's value as (level, not yet assessable)."""
    if value == NYA:
        return None, True
    return (Decimal(value) if value else None), False


class CycleForm(forms.Form):
    name = forms.CharField(max_length=120, help_text='For example "2026 Spring".')
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    meeting_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    share_prereview_notes = forms.BooleanField(
        required=False, label="Learners see the pre-reviewers' notes"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end after it starts.")
        return data


class ReviewersForm(forms.Form):
    """One select per learner: who pre-reviews them."""

    def __init__(self, *args: Any, reviews: list[Review], reviewers: list[User], **kw: Any):
        super().__init__(*args, **kw)
        self.reviews = reviews
        for review in reviews:
            choices = [("", "— nobody yet —")] + [
                (str(u.pk), u.display_name) for u in reviewers if u.pk != review.learner_id
            ]
            self.fields[f"r{review.pk}"] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=f"Pre-reviewer for {review.learner.display_name}",
                initial=str(review.pre_reviewer_id or ""),
            )

    def assignments(self, people: dict[int, User]) -> dict[Review, User | None]:
        out: dict[Review, User | None] = {}
        for review in self.reviews:
            value = self.cleaned_data.get(f"r{review.pk}") or ""
            out[review] = people.get(int(value)) if value else None
        return out


class PrereviewForm(forms.Form):
    """Every item of one learner on one page: a proposed level and a note per row (the
    field names `i<pk>-level` and `i<pk>-note` are the old one-item form's, so a bookmarked
    or replayed one-item POST still works). A blank level is "no proposal yet"."""

    def __init__(self, *args: Any, items: list[Item], epas: list[Item], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.items = [*items, *epas]
        epa_ids = {epa.pk for epa in epas}
        for item in self.items:
            self.fields[f"i{item.pk}-level"] = forms.ChoiceField(
                choices=level_choices(item, allow_nya=item.pk not in epa_ids),
                required=False,
                label=f"Proposed level for {item.code}",
            )
            self.fields[f"i{item.pk}-note"] = forms.CharField(
                required=False, max_length=2000, label=f"Note for {item.code}"
            )

    def row(self, item: Item) -> tuple[forms.BoundField, forms.BoundField]:
        return self[f"i{item.pk}-level"], self[f"i{item.pk}-note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in self.items:
            if (data.get(f"i{item.pk}-note") or "").strip() and not data.get(f"i{item.pk}-level"):
                self.add_error(f"i{item.pk}-level", "Choose a level to go with the note.")
        return data

    def proposals(self) -> list[tuple[Item, str, str]]:
        """(item, level value, note) for each row with a level chosen."""
        data = self.cleaned_data
        return [
            (item, data[f"i{item.pk}-level"], data.get(f"i{item.pk}-note") or "")
            for item in self.items
            if data.get(f"i{item.pk}-level")
        ]


class MeetingForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("", "— not decided yet —"), *Outcome.choices], required=False, label="Decision"
    )
    rationale = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    plan_item = forms.ChoiceField(required=False, label="Plan: item to work on")
    plan_target = forms.ChoiceField(required=False, label="Plan: target level")
    plan_actions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Plan: actions"
    )

    def __init__(self, *args: Any, items: list[Item], epas: list[Item], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.items, self.epas = items, epas
        for item in items:
            self.fields[f"level-{item.pk}"] = forms.ChoiceField(
                choices=level_choices(item), required=False, label=f"{item.code} {item.name}"
            )
        for epa in epas:
            self.fields[f"epa-{epa.pk}"] = forms.ChoiceField(
                choices=level_choices(epa, allow_nya=False),
                required=False,
                label=f"{epa.code} {epa.name}",
            )
        cast(forms.ChoiceField, self.fields["plan_item"]).choices = [("", "—")] + [
            (str(it.pk), f"{it.code} {it.name}") for it in items
        ]
        cast(forms.ChoiceField, self.fields["plan_target"]).choices = [("", "—")] + [
            (level_str(v), f"Level {level_str(v)}")
            for v in (items[0].accepted_levels() if items else [])
        ]

    def level_rows(self) -> list[tuple[Item, forms.BoundField]]:
        return [(item, self[f"level-{item.pk}"]) for item in self.items]

    def epa_rows(self) -> list[tuple[Item, forms.BoundField]]:
        return [(epa, self[f"epa-{epa.pk}"]) for epa in self.epas]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") and not (data.get("rationale") or "").strip():
            self.add_error("rationale", "A decision needs its rationale.")
        if data.get("outcome") == Outcome.ADVANCE_WITH_PLAN and not (
            data.get("plan_item") and (data.get("plan_actions") or "").strip()
        ):
            self.add_error("plan_actions", "Advancing with a plan needs the item and actions.")
        return data


class CorrectionForm(forms.Form):
    what = forms.ChoiceField(label="What to correct")
    level = forms.ChoiceField(required=False, label="Corrected level")
    outcome = forms.ChoiceField(
        choices=[("", "—"), *Outcome.choices], required=False, label="Corrected decision"
    )
    rationale = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Decision rationale"
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Reason")

    def __init__(self, *args: Any, items: list[Item], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.items = {str(it.pk): it for it in items}
        cast(forms.ChoiceField, self.fields["what"]).choices = [("decision", "The decision")] + [
            (str(it.pk), f"Level: {it.code} {it.name}") for it in items
        ]
        cast(forms.ChoiceField, self.fields["level"]).choices = (
            [("", "—")]
            + [(f"{v / 2:g}", f"Level {v / 2:g}") for v in range(2, 11)]
            + [(NYA, "Not yet assessable")]
        )
