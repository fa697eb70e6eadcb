"""Per-learner committee pages: the pre-review packet, the meeting screen, corrections."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from trellis.assessments.capture.selectors import item_level_options
from trellis.assessments.evidence import (
    ItemEvidence,
    LearnerEvidence,
    SelfLevel,
    learner_evidence,
    learner_self_levels,
)
from trellis.committees import selectors as sel
from trellis.committees.access import get_proposal_for, get_review_for
from trellis.committees.analytics import learner_insight
from trellis.committees.forms import (
    CorrectionForm,
    MeetingForm,
    PrereviewForm,
    level_initial,
    level_str,
    parse_level,
)
from trellis.committees.models import ProposedLevel, Review
from trellis.committees.proposals import ProposalInput, proposal_withdraw, proposals_record
from trellis.committees.rules import CommitteeError, review_items, suggested_level
from trellis.committees.services import (
    DecisionInput,
    EntrustmentInput,
    LevelInput,
    MeetingInput,
    PlanInput,
    correction_record,
    meeting_record,
)
from trellis.frameworks.models import Item, ItemKind
from trellis.people.access import viewer


def _problem(exc: CommitteeError | ValidationError) -> str:
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def self_gap(said: SelfLevel | None, ev: ItemEvidence | None) -> Decimal | None:
    return said.gap(ev.latest_level) if said is not None and ev is not None else None


def _packet(review: Review) -> LearnerEvidence:
    cycle = review.cycle
    return learner_evidence(
        program=cycle.program,
        learner=review.learner,
        start=cycle.period_start,
        end=cycle.period_end,
    )


def _proposal_inputs(form: PrereviewForm) -> list[ProposalInput]:
    out = []
    for item, value, note in form.proposals():
        level, nya = parse_level(value)
        out.append(ProposalInput(item, level, nya, note))
    return out


def _prereview_initial(proposals: dict[int, ProposedLevel]) -> dict[str, str]:
    initial: dict[str, str] = {}
    for item_id, row in proposals.items():
        initial[f"i{item_id}-level"] = level_initial(row.level, row.not_yet_assessable)
        initial[f"i{item_id}-note"] = row.note
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def prereview(request: HttpRequest, slug: str, pk: int, review_pk: int) -> HttpResponse:
    """The whole packet on one page with one form: a proposed level per subcompetency and
    EPA, one submit for all of them."""
    committee, review = get_review_for(viewer(request), slug, pk, review_pk)
    items = list(review_items(program=committee.program))
    epas = list(review_items(program=committee.program, kind=ItemKind.EPA))
    may_propose = committee.can_propose(review) and not review.cycle.is_locked
    proposals = sel.latest_proposals(review=review)
    evidence = _packet(review)
    # What the evidence suggests where nothing is proposed yet; filled in on request only
    # ("Start from the evidence"), and saved only with the pre-reviewer's own Save.
    suggested = {
        item.pk: level
        for item in [*items, *epas]
        if item.pk not in proposals
        and (level := suggested_level(evidence.for_item(item.pk), item)) is not None
    }
    filling = may_propose and request.method == "GET" and request.GET.get("start") == "evidence"
    initial = _prereview_initial(proposals)
    if filling:
        initial.update({f"i{pk}-level": level_str(level) for pk, level in suggested.items()})
    form = PrereviewForm(request.POST or None, initial=initial, items=items, epas=epas)
    if request.method == "POST":
        if not may_propose:
            raise PermissionDenied("Only the assigned pre-reviewer proposes levels")
        if form.is_valid():
            try:
                rows = proposals_record(
                    review=review, proposals=_proposal_inputs(form), acting_user=viewer(request)
                )
            except (CommitteeError, ValidationError) as exc:
                form.add_error(None, _problem(exc))
            else:
                n = len(rows)
                messages.success(request, f"Saved {n} proposal{'s' if n != 1 else ''}")
                return redirect("committees:prereview", slug=slug, pk=pk, review_pk=review_pk)
    previous = sel.previous_levels(review=review)
    selfs = learner_self_levels(
        program=committee.program, learner=review.learner, through=evidence.carried
    )
    epa_ids = {epa.pk for epa in epas}
    descriptors = item_level_options(items=form.items)
    decided = sel.decided_items(review=review)
    sections = [
        {
            "item": item,
            "is_epa": item.pk in epa_ids,
            "evidence": evidence.for_item(item.pk),
            "previous": previous.get(item.pk),
            "self": selfs.get(item.pk),
            "self_gap": self_gap(selfs.get(item.pk), evidence.for_item(item.pk)),
            "proposal": proposals.get(item.pk),
            "may_withdraw": item.pk in proposals
            and decided is not None
            and item.pk not in decided
            and committee.can_withdraw(proposals[item.pk]),
            "levels": descriptors.get(item.pk, []),
            "fields": form.row(item),
            "suggested": filling and item.pk in suggested,
        }
        for item in form.items
    ]
    return render(
        request,
        "committees/prereview.html",
        {
            "program": committee.program,
            "cycle": review.cycle,
            "review": review,
            "evidence": evidence,
            "form": form,
            "sections": sections,
            "proposed": len(proposals),
            "may_propose": may_propose,
            "suggestions": len(suggested),
            "filling": filling,
        },
    )


def _meeting_input(form: MeetingForm) -> MeetingInput:
    data = form.cleaned_data
    levels = []
    for item in form.items:
        value = data.get(f"level-{item.pk}") or ""
        if value:
            level, nya = parse_level(value)
            levels.append(LevelInput(item, level, nya))
    entrustments = [
        EntrustmentInput(epa, Decimal(data[f"epa-{epa.pk}"]))
        for epa in form.epas
        if data.get(f"epa-{epa.pk}")
    ]
    decision = DecisionInput(data["outcome"], data["rationale"]) if data.get("outcome") else None
    plan = None
    if data.get("plan_item") and (data.get("plan_actions") or "").strip():
        by_id: dict[str, Item] = {str(it.pk): it for it in form.items}
        target = Decimal(data["plan_target"]) if data.get("plan_target") else None
        plan = PlanInput(by_id[data["plan_item"]], target, data["plan_actions"])
    return MeetingInput(levels=levels, entrustments=entrustments, decision=decision, plan=plan)


def _meeting_initial(
    review: Review, proposals: dict[int, ProposedLevel], epa_ids: set[int]
) -> tuple[dict[str, str], set[int]]:
    """The meeting form's values: the committee's where it has decided, otherwise the
    pre-reviewer's proposal, so accepting every proposal is one Save. Also returns the
    item ids whose value is a proposal not yet decided."""
    initial: dict[str, str] = {}
    pending: set[int] = set()
    levels = sel.current_levels(review=review)
    entrustments = sel.current_entrustments(review=review)
    for item_id, prop in proposals.items():
        if item_id in epa_ids:
            if item_id not in entrustments and prop.level is not None:
                initial[f"epa-{item_id}"] = level_str(prop.level)
                pending.add(item_id)
        elif item_id not in levels:
            initial[f"level-{item_id}"] = level_initial(prop.level, prop.not_yet_assessable)
            pending.add(item_id)
    for item_id, row in levels.items():
        initial[f"level-{item_id}"] = level_initial(row.level, row.not_yet_assessable)
    for item_id, ent in entrustments.items():
        initial[f"epa-{item_id}"] = level_str(ent.level)
    decision = sel.current_decision(review=review)
    if decision is not None:
        initial.update(outcome=decision.outcome, rationale=decision.rationale)
    return initial, pending


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest, slug: str, pk: int, review_pk: int) -> HttpResponse:
    committee, review = get_review_for(viewer(request), slug, pk, review_pk)
    items = list(review_items(program=committee.program))
    epas = list(review_items(program=committee.program, kind=ItemKind.EPA))
    locked = review.cycle.is_locked
    proposals = sel.latest_proposals(review=review)
    initial, pending = _meeting_initial(review, proposals, {epa.pk for epa in epas})
    form = MeetingForm(request.POST or None, initial=initial, items=items, epas=epas)
    if request.method == "POST":
        if not committee.can_vote:
            raise PermissionDenied("Only committee members record levels")
        if locked:
            messages.error(request, "This review is signed off; record a correction instead")
        elif form.is_valid():
            try:
                meeting_record(
                    review=review,
                    data=_meeting_input(form),
                    acting_user=viewer(request),
                )
            except (CommitteeError, ValidationError) as exc:
                form.add_error(None, _problem(exc))
            else:
                messages.success(request, f"Saved {review.learner.display_name}")
                return redirect("committees:meeting", slug=slug, pk=pk, review_pk=review_pk)
    evidence = _packet(review)
    previous = sel.previous_levels(review=review)
    selfs = learner_self_levels(
        program=committee.program, learner=review.learner, through=evidence.carried
    )
    insight = learner_insight(
        program=committee.program,
        learner_id=review.learner_id,
        start=review.cycle.period_start,
        end=review.cycle.period_end,
    )
    rows = [
        {
            "item": item,
            "field": field,
            "proposal": proposals.get(item.pk),
            "previous": previous.get(item.pk),
            "evidence": evidence.for_item(item.pk),
            "self": selfs.get(item.pk),
            "self_gap": self_gap(selfs.get(item.pk), evidence.for_item(item.pk)),
            "insight": insight.get(item.code),
            "pending": item.pk in pending and not form.is_bound,
        }
        for item, field in form.level_rows()
    ]
    epa_rows = [
        (epa, field, insight.get(epa.code), epa.pk in pending and not form.is_bound)
        for epa, field in form.epa_rows()
    ]
    before, after = sel.review_neighbours(review=review)
    return render(
        request,
        "committees/meeting.html",
        {
            "program": committee.program,
            "cycle": review.cycle,
            "review": review,
            "form": form,
            "rows": rows,
            "epa_rows": epa_rows,
            "pending": len(pending) if not locked and not form.is_bound else 0,
            "insight": insight,
            "before": before,
            "after": after,
            "locked": locked,
            "can_vote": committee.can_vote,
            "can_correct": committee.can_sign_off and locked,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, slug: str, pk: int, review_pk: int) -> HttpResponse:
    committee, review = get_review_for(viewer(request), slug, pk, review_pk)
    if not committee.can_sign_off:
        raise PermissionDenied("Only the program director corrects a signed-off review")
    items = list(review_items(program=committee.program))
    form = CorrectionForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        change: LevelInput | DecisionInput
        if data["what"] == "decision":
            change = DecisionInput(data["outcome"], data["rationale"])
        else:
            level, nya = parse_level(data["level"])
            change = LevelInput(form.items[data["what"]], level, nya)
        try:
            correction_record(
                review=review,
                change=change,
                reason=data["reason"],
                acting_user=viewer(request),
            )
        except CommitteeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Correction recorded")
            return redirect("committees:meeting", slug=slug, pk=pk, review_pk=review_pk)
    return render(
        request,
        "committees/correct.html",
        {"program": committee.program, "cycle": review.cycle, "review": review, "form": form},
    )


@login_required
@require_http_methods(["POST"])
def withdraw(
    request: HttpRequest, slug: str, pk: int, review_pk: int, proposal_pk: int
) -> HttpResponse:
    """Take back one proposal (the pre-review page's Withdraw button, a form of its own)."""
    committee, proposal = get_proposal_for(viewer(request), slug, pk, review_pk, proposal_pk)
    committee.require(
        committee.can_withdraw(proposal), "Only the proposer, or the chair, withdraws a proposal"
    )
    was_withdrawn = proposal.is_withdrawn
    try:
        proposal_withdraw(proposal=proposal, acting_user=viewer(request))
    except CommitteeError as exc:
        messages.error(request, str(exc))
    else:
        code = proposal.item.code
        messages.success(
            request,
            f"The proposal for {code} was already withdrawn"
            if was_withdrawn
            else f"Withdrew the proposal for {code}",
        )
    url = redirect("committees:prereview", slug=slug, pk=pk, review_pk=review_pk).url
    return redirect(f"{url}#item-{proposal.item_id}")
