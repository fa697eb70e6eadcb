"""Rater links: the program's page that makes and revokes them, and the page behind a
link, which needs no account.

The page behind a link shows the same form as every capture (assessments/capture) with
no draft and no choice of role; whatever is wrong with a link (unknown, used, expired,
revoked) it answers the same plain "not valid" page, with status 404, and an address that
misses too often is refused for a while (429).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.assessments.access_program import AssessAccess, get_assess_for
from trellis.assessments.capture.ask import qr_svg
from trellis.assessments.capture.page import new_client_key, page_errors, page_for_rater, page_post
from trellis.assessments.capture.services import AssessmentRefused
from trellis.assessments.kiosk.services import kiosks_open
from trellis.assessments.links.forms import RaterLinkForm
from trellis.assessments.links.services import (
    LinkRefused,
    LinkRepeated,
    LinkSpent,
    client_refused,
    link_find,
    link_forms,
    link_state,
    miss_record,
    rater_link_create,
    rater_link_revoke,
    rater_link_submit,
)
from trellis.assessments.models import Form, FormKind, RaterLink
from trellis.people.auth import client_ip
from trellis.people.models import Program, User
from trellis.people.selectors import learners_of


def _may_ask(access: AssessAccess) -> None:
    access.require(
        access.can_manage or access.is_learner,
        "Rater links are made by coordinators and directors, and by learners for themselves",
    )


def _links(access: AssessAccess) -> QuerySet[RaterLink]:
    links = RaterLink.objects.filter(program=access.program).select_related("form", "subject")
    return links if access.can_manage else links.filter(subject=access.user)


def _people(access: AssessAccess) -> QuerySet[User]:
    if not access.can_manage:
        return User.objects.filter(pk=access.user.pk)
    ids = learners_of(program=access.program, on=timezone.localdate()).values("person_id")
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name")


def _forms(program: Program) -> QuerySet[Form]:
    return Form.objects.filter(pk__in=[f.pk for f in link_forms(program=program)])


@login_required
@require_http_methods(["GET", "POST"])
def links(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_assess_for(request, slug)
    _may_ask(access)
    people, forms_qs = _people(access), _forms(access.program)
    default_form = forms_qs.filter(kind=FormKind.MULTISOURCE).first()
    initial = {"client_key": new_client_key(), "subject": access.user.pk, "form": default_form}
    form = RaterLinkForm(request.POST or None, forms_qs=forms_qs, people_qs=people, initial=initial)
    made, repeated = None, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = rater_link_create(
                program=access.program,
                form=data["form"],
                subject=data["subject"],
                rater_role=data["rater_role"],
                rater_name=data["rater_name"],
                rater_email=data["rater_email"],
                anonymous=data["anonymous"],
                days=data["days"],
                acting_user=access.user,
                may_ask_for_others=access.can_manage,
                client_key=data["client_key"],
            )
        except LinkRepeated as again:
            repeated = again.link
        except LinkRefused as refused:
            for field, message in refused.problems.items():
                form.add_error(field if field in form.fields else None, message)
        if made is not None or repeated is not None:
            form = RaterLinkForm(
                forms_qs=forms_qs,
                people_qs=people,
                initial={**initial, "client_key": new_client_key()},
            )
    now = timezone.now()
    return render(
        request,
        "assessments/links/links.html",
        {
            "program": access.program,
            "form": form,
            "made": made,
            # segno's own markup of our own URL, no user text.
            "qr": mark_safe(qr_svg(made.url)) if made is not None else "",  # noqa: S308
            "repeated": repeated,
            "rows": [(link, link_state(link, now=now)) for link in _links(access)[:200]],
            "manager": access.can_manage,
            "open_kiosks": kiosks_open(program=access.program) if access.can_manage else 0,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
def link_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_assess_for(request, slug)
    _may_ask(access)
    link = get_object_or_404(_links(access), pk=pk)
    rater_link_revoke(link=link, acting_user=access.user)
    return redirect("assessments-program:rater-links", slug=access.program.slug)


@dataclass(frozen=True)
class _LinkAccess:
    """What the capture template reads about who is rated (as a RateAccess would)."""

    subject: User
    request: None = None
    assignment: None = None


def _not_valid(request: HttpRequest, status: int = 404) -> HttpResponse:
    return render(request, "assessments/links/not_valid.html", {"status": status}, status=status)


@require_http_methods(["GET", "POST"])
def rater_link(request: HttpRequest, token: str) -> HttpResponse:
    """The form behind a link: no account, one form, one learner, once."""
    ip = client_ip(request)
    if client_refused(ip=ip):
        return _not_valid(request, status=429)
    link = link_find(token)
    retry = link is not None and request.method == "POST" and link.assessment_id is not None
    if link is None or (link_state(link) != "open" and not retry):
        miss_record(ip=ip)
        return _not_valid(request)
    assert link is not None
    answered = link.assessment if retry else None
    if answered is not None and request.POST.get("client_key") == answered.client_key:
        return redirect("rater-link-thanks")  # the same submission again: a phone retrying
    if retry:
        miss_record(ip=ip)
        return _not_valid(request)
    return _answer(request, link)


def _answer(request: HttpRequest, link: RaterLink) -> HttpResponse:
    page = page_for_rater(program=link.program, form=link.form, assessor_role=link.rater_role)
    rater_name = link.rater_name
    if request.method == "POST":
        parsed = page_post(request.POST, page)
        page.assessor_role = link.rater_role  # fixed by the link, whatever was posted
        rater_name = request.POST.get("rater_name", "")[:200]
        action = request.POST.get("action", "submit")
        if action != "items" and not page.errors and parsed.observed_on is not None:
            try:
                rater_link_submit(
                    link=link,
                    observed_on=parsed.observed_on,
                    ratings=parsed.ratings,
                    comments=parsed.comments,
                    rater_name=rater_name,
                    answer_key=page.client_key,
                    concerns=page.concerns,
                )
                return redirect("rater-link-thanks")
            except LinkSpent:
                return _not_valid(request)
            except AssessmentRefused as refused:
                page_errors(page, refused.problems)
    return render(
        request,
        "assessments/capture_form.html",
        {
            "ra": _LinkAccess(subject=link.subject),
            "page": page,
            "forms": [],
            "link": link,
            "rater_name": rater_name,
        },
        status=400 if page.errors else 200,
    )


@require_GET
def rater_link_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "assessments/links/thanks.html")
