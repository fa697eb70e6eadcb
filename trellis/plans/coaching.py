"""Coaching: a coach (academic advisor) for a learner, their notes to each other, and the
learner's own learning plans, which the coach reviews.

Who sees what (each rule here, used by every page):
- a coaching's notes are its learner's and coach's; the committee (program staff) sees a
  note only once the learner shares it (`note_share`);
- a plan the learner wrote is theirs and their coach's; program staff see it once the
  learner opens it to the program (`plan_share_with_program`); a plan a committee
  decision opened is the program's to see anyway (`selectors.plan_seen_by_program`);
- the coach reads the learner's record as program staff do (records.access).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from trellis.audit.services import audit_record, audited_update
from trellis.people import visibility
from trellis.people.models import Program, User
from trellis.people.selectors import learners_of, memberships_in_force
from trellis.plans.models import Coaching, CoachingNote, Plan

NOTE_LIMIT = 5000
COACHING_FIELDS = ["program", "learner", "coach", "start_date", "end_date"]


class CoachingRefused(ValidationError):
    pass


# -- reads


def coach_of(*, program: Program, learner: User) -> Coaching | None:
    """The learner's current coaching in the program, if any."""
    return (
        Coaching.objects.filter(program=program, learner=learner, end_date__isnull=True)
        .select_related("coach", "learner", "program")
        .first()
    )


def coachees(*, program: Program, coach: User) -> QuerySet[Coaching]:
    return (
        Coaching.objects.filter(program=program, coach=coach, end_date__isnull=True)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name")
    )


def coaches_learner(*, program: Program, coach: User, learner: User) -> bool:
    return Coaching.objects.filter(
        program=program, coach=coach, learner=learner, end_date__isnull=True
    ).exists()


def may_coach(*, program: Program) -> QuerySet[User]:
    """Who may be a coach in the program: its current faculty, directors and committee."""
    ids = memberships_in_force(program=program).filter(role__in=visibility.SUPERVISORS)
    return User.objects.filter(pk__in=ids.values("person_id")).order_by("last_name", "first_name")


def notes_of(*, coaching: Coaching) -> QuerySet[CoachingNote]:
    return coaching.notes.select_related("author")


def notes_shared(*, program: Program, learner: User) -> QuerySet[CoachingNote]:
    """What the learner shared with the committee, from any of their coachings here."""
    return CoachingNote.objects.filter(
        coaching__program=program, coaching__learner=learner, shared_with_committee=True
    ).select_related("author", "coaching__coach")


def learner_plans(*, program: Program, learner: User) -> QuerySet[Plan]:
    return (
        Plan.objects.filter(owner=learner, program=program)
        .exclude(item__framework__developmental=True)
        .select_related("item", "reviewed_by")
        .prefetch_related("check_ins")
    )


# -- writes


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise CoachingRefused(message)


@transaction.atomic
def coaching_assign(*, program: Program, learner: User, coach: User, acting_user: User) -> Coaching:
    """Make `coach` the learner's coach, ending any current coaching of theirs here."""
    _require(
        learners_of(program=program).filter(person=learner).exists(),
        f"{learner} is not a current learner of {program}.",
    )
    _require(coach.pk != learner.pk, "A learner cannot coach themself.")
    _require(
        may_coach(program=program).filter(pk=coach.pk).exists(),
        f"{coach} is not on the program's faculty.",
    )
    current = coach_of(program=program, learner=learner)
    if current is not None and current.coach_id == coach.pk:
        return current
    today = timezone.localdate()
    if current is not None:
        coaching_end(coaching=current, acting_user=acting_user)
    made = Coaching.objects.create(
        program=program, learner=learner, coach=coach, start_date=today, created_by=acting_user
    )
    audit_record(
        actor=acting_user,
        action="coaching.assign",
        target=made,
        after={"learner": learner.pk, "coach": coach.pk, "start_date": str(today)},
        program=program,
    )
    return made


@transaction.atomic
def coaching_end(*, coaching: Coaching, acting_user: User) -> Coaching:
    if coaching.end_date is not None:
        return coaching
    return audited_update(
        coaching,
        changes={"end_date": timezone.localdate()},
        fields=COACHING_FIELDS,
        actor=acting_user,
        action="coaching.end",
        program=coaching.program,
    )


@transaction.atomic
def note_add(*, coaching: Coaching, text: str, acting_user: User) -> CoachingNote:
    _require(
        acting_user.pk in (coaching.learner_id, coaching.coach_id) and coaching.end_date is None,
        "Only the learner and their coach write in a coaching.",
    )
    text = text.strip()
    _require(bool(text), "Write the note first.")
    _require(len(text) <= NOTE_LIMIT, f"Keep a note under {NOTE_LIMIT:,} characters.")
    note = CoachingNote.objects.create(coaching=coaching, author=acting_user, text=text)
    audit_record(
        actor=acting_user,
        action="coaching.note",
        target=note,
        after={"coaching": coaching.pk, "chars": len(text)},
        program=coaching.program,
    )
    return note


@transaction.atomic
def note_share(*, note: CoachingNote, shared: bool, acting_user: User) -> CoachingNote:
    """The learner opens a note to the committee, or closes it again."""
    _require(acting_user.pk == note.coaching.learner_id, "Only the learner shares a note.")
    return audited_update(
        note,
        changes={"shared_with_committee": shared},
        fields=["shared_with_committee"],
        actor=acting_user,
        action="coaching.note.share",
        program=note.coaching.program,
    )


@transaction.atomic
def plan_share_with_program(*, plan: Plan, shared: bool, acting_user: User) -> Plan:
    _require(acting_user.pk == plan.owner_id, "Only the plan's owner opens it to the program.")
    return audited_update(
        plan,
        changes={"shared_with_program": shared},
        fields=["shared_with_program"],
        actor=acting_user,
        action="plan.share-program",
        program=plan.program,
    )


@transaction.atomic
def plan_review(*, plan: Plan, note: str, acting_user: User) -> Plan:
    """The learner's current coach reviews the plan, with a note for the learner."""
    _require(
        coaches_learner(program=plan.program, coach=acting_user, learner=plan.owner),
        "Only the learner's coach reviews their plans.",
    )
    _require(len(note) <= NOTE_LIMIT, f"Keep the note under {NOTE_LIMIT:,} characters.")
    return audited_update(
        plan,
        changes={
            "reviewed_by": acting_user,
            "reviewed_at": timezone.now(),
            "review_note": note.strip(),
        },
        fields=["reviewed_by", "reviewed_at", "review_note"],
        actor=acting_user,
        action="plan.review",
        program=plan.program,
    )
