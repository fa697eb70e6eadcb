"""Writes for the Clinician Educator Milestones practice. Ratings go through
assessments.services.assessment_submit like every other assessment; the subject is the
educator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from trellis.assessments.capture.selectors import current_version
from trellis.assessments.capture.services import CommentInput, RatingInput, assessment_submit
from trellis.assessments.models import (
    Assessment,
    AssessorRole,
    Form,
    FormKind,
    FormVersion,
    ItemSelection,
    Prompt,
)
from trellis.audit.services import audit_record
from trellis.educators.models import CoachingInvitation, CoachingPreference, PeerInvitation
from trellis.educators.selectors import CEM_SLUG, PEER_FORM_SLUG, SELF_FORM_SLUG, cem_framework
from trellis.frameworks.models import Item, Scale
from trellis.people.models import Program, Role, User
from trellis.people.selectors import in_force, memberships_current, memberships_in_force

COLLEAGUE_ROLES = [
    Role.FACULTY,
    Role.DIRECTOR,
    Role.COMMITTEE,
    Role.EDUCATOR,
    Role.FD_LEAD,
    Role.ADMIN,
]


def _ratings(levels: dict[Item, Decimal], program: Program | None = None) -> list[RatingInput]:
    """The levels as ratings, each on the milestones the program practises on now (the
    catalogue's, or the version it moved to: `cem_framework`)."""
    current = cem_framework(program=program) if program is not None else None
    for item in levels:
        if item.framework.slug != CEM_SLUG and item.framework_id != getattr(current, "pk", None):
            raise ValidationError(f"{item} is not a Clinician Educator Milestone.")
    return [RatingInput(item=i, level=v) for i, v in levels.items()]


def self_assessment_submit(
    *,
    educator: User,
    program: Program,
    levels: dict[Item, Decimal],
    note: str = "",
    observed_on: dt.date,
    acting_user: User,
) -> Assessment:
    """Record where the educator places themself. Only the educator may do this."""
    if acting_user.pk != educator.pk:
        raise ValidationError("A self-assessment is made by its subject.")
    if not levels:
        raise ValidationError("Place yourself on at least one subcompetency.")
    form = Form.objects.get(program__isnull=True, slug=SELF_FORM_SLUG)
    return assessment_submit(
        program=program,
        form_version=current_version(form),
        subject=educator,
        assessor=educator,
        assessor_role=AssessorRole.SELF,
        observed_on=observed_on,
        ratings=_ratings(levels, program),
        comments=[CommentInput("next-time", note)] if note.strip() else [],
        acting_user=acting_user,
    ).assessment


@transaction.atomic
def peer_form() -> FormVersion:
    """The built-in form a colleague fills after observing a teaching session."""
    form = Form.objects.filter(program__isnull=True, slug=PEER_FORM_SLUG).first()
    if form is not None:
        return current_version(form)
    form = Form.objects.create(
        program=None,
        slug=PEER_FORM_SLUG,
        title="Peer observation of teaching",
        kind=FormKind.TEACHING,
        description="A colleague's observation of one teaching session, for the educator only.",
        assessor_roles=[AssessorRole.PEER],
    )
    version = FormVersion.objects.create(
        form=form,
        number=1,
        item_selection=ItemSelection.CHOOSE,
        framework=cem_framework(),
        scale=Scale.objects.get(slug="milestone"),
    )
    Prompt.objects.create(version=version, position=0, key="comment", text="What you saw")
    audit_record(actor=None, action="form.install", target=form, after={"slug": form.slug})
    return version


def _colleagues(educator: User) -> Q:
    """Faculty of the educator's institutions (a learner is not a colleague here)."""
    institutions = memberships_current(person=educator).values("institution_id")
    return (
        Q(memberships__institution_id__in=institutions, memberships__role__in=COLLEAGUE_ROLES)
        & in_force(prefix="memberships__")
        & ~Q(pk=educator.pk)
    )


def colleague_choices(*, educator: User) -> list[User]:
    return list(User.objects.filter(_colleagues(educator)).distinct().order_by("last_name"))


@transaction.atomic
def peer_invite(
    *, educator: User, program: Program, colleague: User, session: str, acting_user: User
) -> PeerInvitation:
    if acting_user.pk != educator.pk:
        raise ValidationError("Only the educator invites observers of their own teaching.")
    if not User.objects.filter(_colleagues(educator), pk=colleague.pk).exists():
        raise ValidationError("Invite a colleague from your institution.")
    if not session.strip():
        raise ValidationError("Name the teaching session to observe.")
    invitation = PeerInvitation.objects.create(
        educator=educator, colleague=colleague, program=program, session=session.strip()
    )
    audit_record(
        actor=acting_user,
        action="peer.invite",
        target=invitation,
        after={"colleague": colleague.pk, "session": invitation.session},
        program=program,
    )
    return invitation


@transaction.atomic
def peer_submit(
    *,
    invitation: PeerInvitation,
    levels: dict[Item, Decimal],
    comment: str,
    observed_on: dt.date,
    acting_user: User,
) -> Assessment:
    if acting_user.pk != invitation.colleague_id:
        raise ValidationError("This invitation is for someone else.")
    if invitation.assessment_id is not None:
        raise ValidationError("This observation has already been recorded.")
    assessment = assessment_submit(
        program=invitation.program,
        form_version=peer_form(),
        subject=invitation.educator,
        assessor=acting_user,
        assessor_role=AssessorRole.PEER,
        observed_on=observed_on,
        ratings=_ratings(levels),
        comments=[CommentInput("comment", comment)] if comment.strip() else [],
        context=invitation.session,
        acting_user=acting_user,
    ).assessment
    invitation.assessment = assessment
    invitation.save(update_fields=["assessment"])
    return assessment


@transaction.atomic
def coaching_opt(*, person: User, opted_in: bool, acting_user: User) -> CoachingPreference:
    if acting_user.pk != person.pk:
        raise ValidationError("Only you can opt in to coaching.")
    pref, _ = CoachingPreference.objects.get_or_create(person=person)
    before = {"opted_in": pref.opted_in}
    pref.opted_in = opted_in
    pref.save()
    audit_record(
        actor=acting_user,
        action="coaching.opt",
        target=pref,
        before=before,
        after={"opted_in": opted_in},
    )
    return pref


@transaction.atomic
def coaching_invite(*, office: Program, message: str, acting_user: User) -> CoachingInvitation:
    """Reach the office's educators who opted in; the office learns only how many."""
    if not message.strip():
        raise ValidationError("Write the invitation.")
    members = memberships_in_force(program=office, role=Role.EDUCATOR).values("person_id")
    opted = User.objects.filter(pk__in=members, coaching_preference__opted_in=True).values_list(
        "pk", flat=True
    )
    invitation = CoachingInvitation.objects.create(
        office=office, message=message.strip(), sent_by=acting_user
    )
    invitation.recipients.set(list(opted))
    audit_record(
        actor=acting_user,
        action="coaching.invite",
        target=invitation,
        after={"recipients": invitation.recipients.count()},
        program=office,
    )
    return invitation
