"""The observation form as a page: what it shows, and how a POST becomes service input.

The page is one HTML form without JavaScript: items are rows of radio buttons, chips
(checkboxes) choose which rows count, and an "Update items" button re-renders the page
with the chips' choice when scripts are off (capture.js toggles rows in place).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from trellis.assessments.capture.selectors import (
    LevelOption,
    capture_candidates,
    current_version,
    level_options,
)
from trellis.assessments.capture.services import CommentInput, RatingInput
from trellis.assessments.instruments.kept import version_content
from trellis.assessments.models import (
    Assessment,
    Concern,
    Form,
    FormVersion,
    ItemSelection,
    Prompt,
)
from trellis.frameworks.models import Item, Scale
from trellis.people.models import Program

NOT_OBSERVED = "no"


def new_client_key() -> str:
    return uuid.uuid4().hex


class Levels:
    """The level options of a page's items (`level_options`), read the first time the page
    is drawn: a POST that is recorded redirects without drawing it, and reads none."""

    def __init__(self, scale: Scale, items: list[Item]) -> None:
        self.scale = scale
        self.items = items
        self._options: dict[int, list[LevelOption]] | None = None

    def for_item(self, item_id: int) -> list[LevelOption]:
        if self._options is None:
            self._options = level_options(scale=self.scale, items=self.items)
        return self._options[item_id]


@dataclass
class Row:
    item: Item
    levels: Levels
    chosen: bool
    selected: str = ""
    error: str = ""

    @property
    def options(self) -> list[LevelOption]:
        return self.levels.for_item(self.item.pk)


@dataclass
class PromptRow:
    prompt: Prompt
    value: str = ""
    error: str = ""


@dataclass
class CapturePage:
    form: Form
    version: FormVersion
    rows: list[Row]
    prompts: list[PromptRow]
    client_key: str
    observed_on: str
    context: str = ""
    assessor_role: str = ""
    concerns: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def concern_choices(self) -> list[tuple[str, str, bool]]:
        """(value, label, checked) of each concern a rater may raise."""
        return [(c.value, c.label, c.value in self.concerns) for c in Concern]

    @property
    def fixed(self) -> bool:
        return self.version.item_selection == ItemSelection.FIXED

    @property
    def chosen_rows(self) -> list[Row]:
        return [r for r in self.rows if r.chosen]

    @property
    def general_errors(self) -> list[str]:
        keys = ("ratings", "__all__", "form", "request", "assessor_role", "rater_name", "concerns")
        return [self.errors[k] for k in keys if k in self.errors]

    @property
    def details_error(self) -> bool:
        return "observed_on" in self.errors


def page_build(
    *,
    form: Form,
    version: FormVersion,
    items: list[Item],
    chosen: set[int],
    client_key: str,
    observed_on: dt.date,
    selected: Mapping[int, str] | None = None,
    comments: Mapping[str, str] | None = None,
    context: str = "",
    assessor_role: str = "",
    concerns: list[str] | None = None,
) -> CapturePage:
    levels = Levels(version.scale, items)
    selected = selected or {}
    comments = comments or {}
    fixed = version.item_selection == ItemSelection.FIXED
    rows = [
        Row(
            item=it,
            levels=levels,
            chosen=fixed or it.pk in chosen,
            selected=selected.get(it.pk, ""),
        )
        for it in items
    ]
    # Chosen items first, in the order of the framework; the rest stay available as chips.
    rows.sort(key=lambda r: not r.chosen)
    prompts = [PromptRow(p, comments.get(p.key, "")) for p in version_content(version).prompts]
    return CapturePage(
        form=form,
        version=version,
        rows=rows,
        prompts=prompts,
        client_key=client_key,
        observed_on=observed_on.isoformat(),
        context=context,
        assessor_role=assessor_role,
        concerns=list(concerns or []),
    )


def page_for_rater(*, program: Program, form: Form, assessor_role: str) -> CapturePage:
    """A fresh page for a rater without an account (a rater link, a patient kiosk): the
    form's current version, the program's items with none chosen from a rotation, today,
    and a new client key."""
    version = current_version(form)
    items, chosen = capture_candidates(program=program, version=version, assignment=None)
    return page_build(
        form=form,
        version=version,
        items=items,
        chosen=chosen,
        client_key=new_client_key(),
        observed_on=timezone.localdate(),
        assessor_role=assessor_role,
    )


def page_post(data: Mapping[str, Any], page: CapturePage) -> Parsed:
    """A POST read into a fresh page (see `page_parse`), keeping the client key it was sent
    with, so the same answer sent twice is recorded once."""
    page.client_key = str(data.get("client_key", ""))[:64] or page.client_key
    return page_parse(data, page)


def page_from_assessment(
    *, assessment: Assessment, items: list[Item], chosen: set[int]
) -> CapturePage:
    """The form filled in as a draft or a submitted assessment left it."""
    selected = {
        r.item_id: NOT_OBSERVED if r.not_observed else f"{Decimal(r.level or 0).normalize():f}"
        for r in assessment.ratings.all()
    }
    extra = [r.item for r in assessment.ratings.select_related("item") if r.item not in items]
    return page_build(
        form=assessment.form_version.form,
        version=assessment.form_version,
        items=items + extra,
        chosen=chosen | set(selected),
        client_key=assessment.client_key or new_client_key(),
        observed_on=assessment.observed_on,
        selected=selected,
        comments={c.prompt_key: c.text for c in assessment.comments.all()},
        context=assessment.context,
        assessor_role=assessment.assessor_role,
        concerns=list(assessment.concerns or []),
    )


@dataclass
class Parsed:
    page: CapturePage
    ratings: list[RatingInput]
    comments: list[CommentInput]
    observed_on: dt.date | None


def page_parse(data: Mapping[str, Any], page: CapturePage) -> Parsed:
    """Read a POST into the page (so it re-shows what was typed) and into service input.
    Rows whose chip is off, and chosen rows left blank, are not recorded."""
    chosen = {str(v) for v in data.getlist("items")} if hasattr(data, "getlist") else set()
    ratings: list[RatingInput] = []
    for row in page.rows:
        row.chosen = page.fixed or str(row.item.pk) in chosen
        row.selected = str(data.get(f"rating-{row.item.pk}", "")).strip()
        if not row.chosen or not row.selected:
            continue
        if row.selected == NOT_OBSERVED:
            ratings.append(RatingInput(row.item, None, not_observed=True))
            continue
        try:
            ratings.append(RatingInput(row.item, Decimal(row.selected)))
        except InvalidOperation:
            page.errors[f"rating-{row.item.pk}"] = "Choose one of the levels."
    comments = []
    for p in page.prompts:
        p.value = str(data.get(f"comment-{p.prompt.key}", ""))  # the service checks length
        if p.value.strip():
            comments.append(CommentInput(p.prompt.key, p.value))
    page.context = str(data.get("context", ""))[:255]
    if hasattr(data, "getlist"):
        page.concerns = [str(v) for v in data.getlist("concern")][:5]
    page.observed_on = str(data.get("observed_on", "")).strip()
    observed: dt.date | None = None
    try:
        observed = dt.date.fromisoformat(page.observed_on)
    except ValueError:
        page.errors["observed_on"] = "Enter the date you observed, e.g. 2026-03-14."
    page.rows.sort(key=lambda r: not r.chosen)
    return Parsed(page=page, ratings=ratings, comments=comments, observed_on=observed)


def page_errors(page: CapturePage, problems: Mapping[str, str]) -> None:
    """Put the service's problems next to the rows and prompts they are about."""
    page.errors.update(problems)
    for row in page.rows:
        row.error = problems.get(f"rating-{row.item.pk}", "")
    for p in page.prompts:
        p.error = problems.get(f"comment-{p.prompt.key}", "")
