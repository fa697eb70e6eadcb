"""Who may rate whom, and who may see an assessment.

- Faculty (and directors and committee members, who also teach) rate the learners they
  supervise (on an assignment of the program in force: from its first day until
  settings.SUPERVISION_ACCESS_DAYS after its last) or have been asked to rate: an open
  request addressed to them, or a learner's open request whose link they opened.
- The assessor sees what they submitted; the subject sees assessments of themselves;
  whoever may see the learner's record (`trellis.people.visibility`, audience RECORD:
  program staff and supervising faculty) sees the assessments it shows: named,
  non-developmental ones. An anonymous form's response is seen one by one by its writer
  only: everyone else reads it in groups (`assessments.evaluations`).
Outsiders get 404; a program member without the right gets 403 (PermissionDenied).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from trellis.assessments.evaluations import EVALUATION_KINDS
from trellis.assessments.evidence import is_developmental
from trellis.assessments.models import (
    Assessment,
    AssessmentStatus,
    AssessorRole,
    Form,
    FormKind,
    Request,
    RequestStatus,
)
from trellis.people import visibility
from trellis.people.access import ProgramAccess, get_program_for
from trellis.people.models import Program, Role, User
from trellis.people.selectors import learners_of, memberships_current, program_roles
from trellis.scheduling.models import Assignment
from trellis.scheduling.selectors import supervision_in_force
from trellis.scheduling.visibility import learner_visible_to

RATERS = visibility.SUPERVISORS
# Roles that read every assessment of their program.
STAFF = visibility.PROGRAM_STAFF


def rater_programs(*, user: User) -> list[Program]:
    """The programs in which `user` rates learners."""
    ids = memberships_current(person=user).filter(role__in=RATERS).values("program_id")
    return list(Program.objects.filter(id__in=ids).order_by("name"))


@dataclass(frozen=True)
class RateAccess:
    """`user` may rate `subject` in `program`; `assignment` is the one they supervise
    (today's if any), `request` the open request that lets them (if any)."""

    access: ProgramAccess
    user: User
    subject: User
    assignment: Assignment | None
    request: Request | None
    # The role this rating is made in, derived, never taken from input: a signed-in rater
    # (faculty, a director, a committee member) rates as faculty; a learner answering their
    # evaluation of a rotation or a teacher as a learner. The other roles arrive by their
    # own doors: a rater link (nurse, patient, peer...), a self-assessment (self).
    assessor_role: str = AssessorRole.FACULTY

    @property
    def program(self) -> Program:
        return self.access.program


def supervised_assignment(*, faculty: User, learner: User, program: Program) -> Assignment | None:
    """Today's assignment of `learner` that `faculty` supervises, else the latest one still
    in force (`supervision_in_force`: ended within the window after its last day)."""
    today = timezone.localdate()
    qs = Assignment.objects.filter(
        supervision_in_force(today=today),
        learner=learner,
        supervisors=faculty,
        rotation__program=program,
    ).select_related("rotation__activity", "site")
    # One learner: the start date orders them (the default order would join the learner).
    current = qs.filter(end_date__gte=today).order_by("start_date", "pk").first()
    return current or qs.order_by("-end_date").first()


def open_request_to(*, user: User, subject: User, program: Program) -> Request | None:
    return (
        Request.objects.filter(
            program=program, subject=subject, assessor=user, status=RequestStatus.OPEN
        )
        .select_related("form")
        .first()
    )


def get_rating_for(user: User, slug: str, learner_id: int) -> RateAccess:
    access = get_program_for(user, slug)
    subject = User.objects.filter(
        pk=learner_id, pk__in=learners_of(program=access.program).values("person_id")
    ).first()
    if subject is None:
        raise Http404("No such learner")
    if not access.roles & RATERS:
        raise PermissionDenied("Only faculty rate learners")
    assignment = supervised_assignment(faculty=user, learner=subject, program=access.program)
    request = open_request_to(user=user, subject=subject, program=access.program)
    if assignment is None and request is None:
        raise PermissionDenied("You neither supervise this learner nor were asked to rate them")
    return RateAccess(access, user, subject, assignment, request)


def get_request_to_answer(user: User, token: str) -> RateAccess:
    """The request behind a link: its named assessor, or for an open (learner's) request
    any faculty member of the program, may answer it. The status is the caller's to check
    (an answered request leads to its assessment, not to an error)."""
    request = (
        Request.objects.select_related("program__institution", "form", "subject")
        .filter(token=token)
        .first()
    )
    if request is None:
        raise Http404("No such request")
    access = get_program_for(user, request.program.slug)
    if request.form.kind in EVALUATION_KINDS:
        return _evaluation_to_answer(access, user, request)
    if request.assessor_id is not None:
        if request.assessor_id != user.pk:
            raise PermissionDenied("This request is addressed to someone else")
    elif not access.roles & RATERS:
        raise PermissionDenied("Only the program's faculty answer this request")
    if request.subject_id == user.pk:
        raise PermissionDenied("You cannot rate yourself")
    assignment = supervised_assignment(
        faculty=user, learner=request.subject, program=access.program
    )
    return RateAccess(access, user, request.subject, assignment, request)


def _evaluation_to_answer(access: ProgramAccess, user: User, request: Request) -> RateAccess:
    """A learner's evaluation of a rotation (about the rotation they were on: the request
    names them as its subject too) or of a teacher: only the learner asked may answer."""
    if request.assessor_id != user.pk or Role.LEARNER not in access.roles:
        raise PermissionDenied("This evaluation is asked of someone else")
    return RateAccess(
        access, user, request.subject, request.assignment, request, AssessorRole.LEARNER
    )


def may_see(user: User, assessment: Assessment) -> bool:
    if assessment.assessor_id == user.pk:
        return True
    if assessment.status != AssessmentStatus.SUBMITTED:
        return False
    if assessment.form_version.form.anonymous:
        # Read only in groups, through assessments.evaluations: its subject, program staff
        # and admins never see one response with its writer's name.
        return False
    if assessment.subject_id == user.pk:
        return True
    roles = frozenset(program_roles(person=user, program=assessment.program))
    if not roles:
        return False
    access = ProgramAccess(program=assessment.program, roles=roles)
    if not learner_visible_to(
        access=access, viewer=user, learner=assessment.subject, audience=visibility.RECORD
    ):
        return False
    # Developmental data is its subject's own: program staff, admins included, never see it.
    return not is_developmental(assessment=assessment)


def get_assessment_for(user: User, pk: int) -> Assessment:
    """An assessment this user may read; 404 otherwise (its existence is not revealed)."""
    assessment = (
        Assessment.objects.select_related(
            "form_version__form", "form_version__scale", "subject", "assessor", "program"
        )
        .filter(pk=pk)
        .first()
    )
    if assessment is None or not may_see(user, assessment):
        raise Http404("No such assessment")
    return assessment


def get_own_assessment_for(user: User, pk: int) -> Assessment:
    """An assessment this user wrote (to resume a draft or correct it); 404 otherwise."""
    assessment = get_assessment_for(user, pk)
    if assessment.assessor_id != user.pk:
        raise Http404("No such assessment")
    return assessment


def rateable_learners(*, user: User, program: Program) -> Q:
    """A filter on User: the program's current learners this user may rate."""
    learners = learners_of(program=program)
    supervised = Assignment.objects.filter(
        supervision_in_force(), supervisors=user, rotation__program=program
    )
    asked = Request.objects.filter(program=program, assessor=user, status=RequestStatus.OPEN)
    return Q(pk__in=learners.values("person_id")) & (
        Q(pk__in=supervised.values("learner_id")) | Q(pk__in=asked.values("subject_id"))
    )


def peer_form(*, program: Program) -> Form | None:
    """The program's peer form: its own live multisource form a peer fills, else the
    built-in one."""
    forms = (
        Form.objects.filter(kind=FormKind.MULTISOURCE, archived=False)
        .filter(Q(program=program) | Q(program__isnull=True))
        .order_by("program_id", "pk")
    )
    filled = [f for f in forms if AssessorRole.PEER in (f.assessor_roles or [])]
    own = [f for f in filled if f.program_id == program.pk]
    chosen = own or filled
    return chosen[0] if chosen else None


def get_peer_rating_for(user: User, slug: str, learner_id: int) -> RateAccess:
    """A learner rating a fellow learner of their program, as a peer: both current
    learners, not themself. 404 for someone who is not a learner of the program."""
    program_access = get_program_for(user, slug)
    if Role.LEARNER not in program_access.roles:
        raise PermissionDenied("Peer feedback is given by the program's learners")
    subject = User.objects.filter(
        pk=learner_id, pk__in=learners_of(program=program_access.program).values("person_id")
    ).first()
    if subject is None:
        raise Http404("No such learner")
    if subject.pk == user.pk:
        raise PermissionDenied("You cannot rate yourself as a peer: use the self-assessment")
    return RateAccess(program_access, user, subject, None, None, AssessorRole.PEER)
