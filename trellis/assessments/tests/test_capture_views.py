from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from trellis.assessments.capture.services import CommentInput, RatingInput, assessment_submit
from trellis.assessments.models import (
    Assessment,
    AssessmentStatus,
    Form,
    Request,
    RequestOrigin,
    RequestStatus,
)
from trellis.assessments.tests.capture_setup import Capture, make_capture
from trellis.audit.models import AuditEvent
from trellis.testing import People


@pytest.fixture
def cap(people: People) -> Capture:
    return make_capture(people)


def rate_url(cap: Capture, learner_id: int | None = None) -> str:
    return f"/assess/im-residency/learner/{learner_id or cap.people.learner.pk}/"


def post_data(cap: Capture, page: str, **extra: str) -> dict[str, object]:
    key = page.split('name="client_key" value="')[1].split('"')[0]
    version = page.split('name="form_version" value="')[1].split('"')[0]
    form = page.split('name="form" value="')[1].split('"')[0]
    data: dict[str, object] = {
        "client_key": key,
        "form_version": version,
        "form": form,
        "items": [str(cap.epa1.pk), str(cap.epa2.pk)],
        f"rating-{cap.epa1.pk}": "3",
        "comment-next-time": "Commit to one leading diagnosis.",
        "observed_on": timezone.localdate().isoformat(),
        "action": "submit",
    }
    data.update(extra)
    return data


# -- start page


def test_it_lists_todays_learners_first(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.faculty)
    r = client.get("/assess/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Your learners today" in html
    assert rate_url(cap) in html


def test_it_searches_only_learners_one_may_rate(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.faculty)
    html = client.get("/assess/?q=Park").content.decode()
    assert rate_url(cap) in html
    html = client.get("/assess/?q=Alvarez").content.decode()
    assert rate_url(cap, cap.people.learner2.pk) not in html


def test_the_start_page_offers_a_learner_to_ask(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.learner)
    html = client.get("/assess/").content.decode()
    assert "Ask for feedback" in html


def test_the_start_page_needs_login_and_get(client: Client, cap: Capture) -> None:
    assert client.get("/assess/").status_code == 302
    client.force_login(cap.people.faculty)
    assert client.post("/assess/").status_code == 405


# -- the form


def test_it_preselects_the_rotations_items(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.faculty)
    r = client.get(rate_url(cap))
    assert r.status_code == 200
    html = r.content.decode()
    assert f'id="chip-{cap.epa1.pk}" data-row="row-{cap.epa1.pk}" checked' in html
    assert f'id="chip-{cap.epa3.pk}" data-row="row-{cap.epa3.pk}">' in html
    # the chip names the EPA, not only its code (a phone shows no tooltip)
    assert f'{cap.epa1.code} <span class="chip__name">{cap.epa1.name.split()[0]}' in html
    assert "One thing to do next time" in html
    assert 'placeholder="e.g.' in html


def test_it_submits_and_lands_on_done(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.faculty)
    page = client.get(rate_url(cap)).content.decode()
    r = client.post(rate_url(cap), post_data(cap, page))
    a = Assessment.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/assess/a/{a.pk}/done/"
    assert a.status == AssessmentStatus.SUBMITTED and a.assignment == cap.sched.first
    assert [(x.item_id, x.level) for x in a.ratings.all()] == [(cap.epa1.pk, Decimal("3"))]
    done = client.get(r["Location"]).content.decode()
    assert "Rate another learner" in done


def test_a_double_post_makes_one_assessment(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.faculty)
    page = client.get(rate_url(cap)).content.decode()
    data = post_data(cap, page)
    first = client.post(rate_url(cap), data)
    second = client.post(rate_url(cap), data)
    assert second["Location"] == first["Location"] + "?again=1"
    assert Assessment.objects.count() == 1


def test_it_reshows_what_was_typed_on_error(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.faculty)
    page = client.get(rate_url(cap)).content.decode()
    data = post_data(cap, page, **{f"rating-{cap.epa1.pk}": "9"})
    r = client.post(rate_url(cap), data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "Commit to one leading diagnosis." in html
    assert "is not a level of" in html
    assert not Assessment.objects.exists()


def test_it_saves_a_draft_and_lists_it(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.faculty)
    page = client.get(rate_url(cap)).content.decode()
    r = client.post(rate_url(cap), post_data(cap, page, action="draft"))
    draft = Assessment.objects.get()
    assert draft.status == AssessmentStatus.DRAFT
    assert r["Location"] == f"/assess/?saved={draft.pk}"
    assert f"/assess/a/{draft.pk}/edit/" in client.get("/assess/").content.decode()
    resumed = client.get(f"/assess/a/{draft.pk}/edit/").content.decode()
    assert "Commit to one leading diagnosis." in resumed
    r = client.post(f"/assess/a/{draft.pk}/edit/", post_data(cap, resumed))
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED and Assessment.objects.count() == 1


def test_only_a_new_form_offers_its_date_to_be_made_the_phones_today(
    client: Client, cap: Capture
) -> None:
    """offline.js redates a form the phone kept from an earlier day: one drawn new, never a
    draft resumed (its date is what was observed) nor a form sent back with problems."""
    client.force_login(cap.people.faculty)
    today = timezone.localdate().isoformat()
    page = client.get(rate_url(cap)).content.decode()
    assert f'value="{today}" data-today="{today}"' in page
    earlier = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    client.post(rate_url(cap), post_data(cap, page, action="draft", observed_on=earlier))
    draft = Assessment.objects.get()
    resumed = client.get(f"/assess/a/{draft.pk}/edit/").content.decode()
    assert f'value="{earlier}"' in resumed and "data-today" not in resumed
    refused = client.post(rate_url(cap), post_data(cap, page, observed_on="someday"))
    assert refused.status_code == 400 and "data-today" not in refused.content.decode()


def test_it_updates_items_without_javascript(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.faculty)
    page = client.get(rate_url(cap)).content.decode()
    data = post_data(cap, page, action="items")
    data["items"] = [str(cap.epa3.pk)]
    r = client.post(rate_url(cap), data)
    assert r.status_code == 200
    assert f'id="chip-{cap.epa3.pk}" data-row="row-{cap.epa3.pk}" checked' in r.content.decode()
    assert not Assessment.objects.exists()


def test_a_faculty_member_who_does_not_supervise_gets_403(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.committee)
    assert client.get(rate_url(cap)).status_code == 403


def test_a_coordinator_gets_403(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.coordinator)
    assert client.get(rate_url(cap)).status_code == 403


def test_an_outsider_gets_404(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.outsider)
    assert client.get(rate_url(cap)).status_code == 404
    assert client.get(f"/assess/im-residency/learner/{cap.people.outsider.pk}/").status_code == 404


def test_the_form_needs_login_and_refuses_put(client: Client, cap: Capture) -> None:
    assert client.get(rate_url(cap)).status_code == 302
    client.force_login(cap.people.faculty)
    assert client.put(rate_url(cap)).status_code == 405


def test_an_open_request_lets_a_non_supervisor_rate(client: Client, cap: Capture) -> None:
    Request.objects.create(
        program=cap.people.program,
        form=cap.form,
        subject=cap.people.learner,
        assessor=cap.people.committee,
        origin=RequestOrigin.COORDINATOR,
        due_date=timezone.localdate(),
    )
    client.force_login(cap.people.committee)
    assert client.get(rate_url(cap)).status_code == 200


# -- edit window


def _submitted(cap: Capture) -> Assessment:
    return assessment_submit(
        program=cap.people.program,
        form_version=cap.version,
        subject=cap.people.learner,
        assessor=cap.people.faculty,
        assessor_role="faculty",
        observed_on=timezone.localdate(),
        ratings=[RatingInput(cap.epa1, Decimal("3"))],
        comments=[CommentInput("went-well", "Thorough.")],
        acting_user=cap.people.faculty,
        client_key="x",
    ).assessment


def test_it_edits_within_the_window_and_audits(client: Client, cap: Capture) -> None:
    a = _submitted(cap)
    client.force_login(cap.people.faculty)
    page = client.get(f"/assess/a/{a.pk}/edit/").content.decode()
    data = post_data(cap, page, **{f"rating-{cap.epa1.pk}": "4"})
    data["items"] = [str(cap.epa1.pk)]
    r = client.post(f"/assess/a/{a.pk}/edit/", data)
    assert r.status_code == 302
    assert a.ratings.get().level == Decimal("4")
    assert AuditEvent.objects.filter(action="assessment.edit").count() == 1


def test_it_refuses_an_edit_after_the_window(client: Client, cap: Capture) -> None:
    a = _submitted(cap)
    Assessment.objects.filter(pk=a.pk).update(
        editable_until=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(cap.people.faculty)
    assert client.get(f"/assess/a/{a.pk}/edit/").status_code == 403


def test_only_the_assessor_edits(client: Client, cap: Capture) -> None:
    a = _submitted(cap)
    for who in (cap.people.director, cap.people.learner, cap.people.outsider):
        client.force_login(who)
        assert client.get(f"/assess/a/{a.pk}/edit/").status_code == 404


# -- viewing


def test_who_sees_an_assessment(client: Client, cap: Capture) -> None:
    a = _submitted(cap)
    url = f"/assess/a/{a.pk}/"
    for who, code in [
        (cap.people.faculty, 200),
        (cap.people.learner, 200),
        (cap.people.director, 200),
        (cap.people.coordinator, 200),
        (cap.people.learner2, 404),
        (cap.people.outsider, 404),
    ]:
        client.force_login(who)
        assert client.get(url).status_code == code, who
    client.force_login(cap.people.learner)
    assert "Farah Mendes" in client.get(url).content.decode()
    assert client.post(url).status_code == 405


def test_lists(client: Client, cap: Capture) -> None:
    _submitted(cap)
    client.force_login(cap.people.learner)
    assert "Farah Mendes" in client.get("/assess/mine/").content.decode()
    client.force_login(cap.people.faculty)
    assert "Lena Park" in client.get("/assess/given/").content.decode()
    client.force_login(cap.people.director)
    assert client.get("/assess/im-residency/all/").status_code == 200
    client.force_login(cap.people.learner)
    assert client.get("/assess/im-residency/all/").status_code == 403
    client.force_login(cap.people.outsider)
    assert client.get("/assess/im-residency/all/").status_code == 404


def test_anonymous_evaluations_show_only_in_groups_of_three(client: Client, cap: Capture) -> None:
    form = Form.objects.get(slug="teaching-evaluation")
    version = form.versions.get()
    teach = version.questions.first()
    assert teach is not None
    learners = [cap.people.learner, cap.people.learner2, cap.people.director]

    def evaluate(n: int) -> Assessment:
        return assessment_submit(
            program=cap.people.program,
            form_version=version,
            subject=cap.people.faculty,
            assessor=learners[n],
            assessor_role="learner",
            observed_on=timezone.localdate(),
            ratings=[RatingInput(teach.item, Decimal(3 + n % 2))],
            comments=[CommentInput("went-well", f"Secret note {n}")],
            acting_user=learners[n],
            client_key=f"t{n}",
        ).assessment

    first = evaluate(0)
    evaluate(1)
    client.force_login(cap.people.faculty)
    mine = f"/programs/im-residency/assessments/evaluations/teachers/{cap.people.faculty.pk}/"
    assert mine in client.get("/assess/teaching/").content.decode()
    html = client.get(mine).content.decode()
    assert "2 responses so far" in html and "Secret note" not in html
    assert client.get(f"/assess/a/{first.pk}/").status_code == 404
    assert "Secret note" not in client.get("/assess/mine/").content.decode()
    evaluate(2)
    html = client.get(mine).content.decode()
    assert "<strong>3.3</strong>" in html and "Secret note" not in html  # text waits for 5
    assert "Comments show once 5" in html
    assert "Lena" not in html


# -- learner-initiated requests


def test_a_learner_asks_and_a_faculty_member_answers(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.learner)
    r = client.get("/assess/ask/")
    assert r.status_code == 200
    r = client.post("/assess/ask/", {"item": cap.epa2.pk, "assessor": "", "note": ""})
    req = Request.objects.get()
    assert req.origin == RequestOrigin.LEARNER and req.assessor is None
    assert r["Location"] == f"/assess/ask/{req.pk}/"
    html = client.get(r["Location"]).content.decode()
    assert "<svg" in html and f"/assess/r/{req.token}/" in html

    # A faculty member who does not supervise the learner answers through the link.
    client.force_login(cap.people.committee)
    link = f"/assess/r/{req.token}/"
    page = client.get(link).content.decode()
    assert f'id="chip-{cap.epa2.pk}" data-row="row-{cap.epa2.pk}" checked' in page
    data = post_data(cap, page, **{f"rating-{cap.epa2.pk}": "2"})
    r = client.post(link, data)
    a = Assessment.objects.get()
    assert r["Location"] == f"/assess/a/{a.pk}/done/" and a.request == req
    req.refresh_from_db()
    assert req.status == RequestStatus.COMPLETED
    # A replay lands on the same confirmation; the link now leads there too.
    assert client.post(link, data)["Location"] == r["Location"] + "?again=1"
    assert client.get(link)["Location"] == r["Location"]
    assert Assessment.objects.count() == 1


def test_who_may_open_a_request_link(client: Client, cap: Capture) -> None:
    req = Request.objects.create(
        program=cap.people.program,
        form=cap.form,
        subject=cap.people.learner,
        assessor=cap.people.faculty,
        origin=RequestOrigin.LEARNER,
        due_date=timezone.localdate(),
    )
    link = f"/assess/r/{req.token}/"
    assert client.get(link).status_code == 302  # to the login page
    for who, code in [
        (cap.people.faculty, 200),
        (cap.people.committee, 403),
        (cap.people.learner2, 403),
        (cap.people.outsider, 404),
    ]:
        client.force_login(who)
        assert client.get(link).status_code == code, who
    assert client.get("/assess/r/nope/").status_code == 404
    client.force_login(cap.people.faculty)
    assert client.delete(link).status_code == 405


def test_only_the_learner_sees_their_qr_page(client: Client, cap: Capture) -> None:
    client.force_login(cap.people.learner)
    client.post("/assess/ask/", {"item": cap.epa2.pk, "assessor": "", "note": ""})
    req = Request.objects.get()
    client.force_login(cap.people.learner2)
    assert client.get(f"/assess/ask/{req.pk}/").status_code == 404
    client.force_login(cap.people.faculty)
    assert client.get("/assess/ask/").status_code == 404


def test_an_observation_without_any_level_is_refused_and_keeps_what_was_typed(
    client: Client, cap: Capture
) -> None:
    """The finding: an EPA chosen and submitted with no level was saved as an observation
    with no rating ("Thank you - saved"). It is refused, the comment re-shown, nothing
    written; saving it as a draft still works."""
    client.force_login(cap.people.faculty)
    page = client.get(rate_url(cap)).content.decode()
    data = post_data(cap, page)
    del data[f"rating-{cap.epa1.pk}"]
    r = client.post(rate_url(cap), data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "Choose a level for at least one item" in html
    assert "Commit to one leading diagnosis." in html
    assert not Assessment.objects.exists()
    r = client.post(rate_url(cap), {**data, "action": "draft"})
    assert r.status_code == 302
    assert Assessment.objects.get().status == AssessmentStatus.DRAFT


def test_a_long_comment_is_kept_whole_and_one_past_the_limit_is_refused_not_cut(
    client: Client, cap: Capture
) -> None:
    """The finding: a 10,812-character comment was cut to 5,000 without notice."""
    client.force_login(cap.people.faculty)
    page = client.get(rate_url(cap)).content.decode()
    assert 'data-max-chars="20000"' in page
    long = ("Took a careful history and examined the patient. " * 221)[:10_812]
    r = client.post(rate_url(cap), post_data(cap, page, **{"comment-next-time": long}))
    assert r.status_code == 302
    assert Assessment.objects.get().comments.get().text == long.strip()
    page = client.get(rate_url(cap)).content.decode()
    too_long = "x" * 20_001
    r = client.post(rate_url(cap), post_data(cap, page, **{"comment-next-time": too_long}))
    assert r.status_code == 400
    assert "20,001 characters; the most is 20,000" in r.content.decode()
    assert too_long in r.content.decode()  # re-shown whole, to shorten
    assert Assessment.objects.count() == 1


def test_back_after_submit_and_submitting_again_makes_no_second_assessment(
    client: Client, cap: Capture
) -> None:
    """The finding: Back re-fetched the form with the choices restored and a new client
    key, and submitting again made a second assessment. The same content from the same
    assessor minutes later is the same submission; a different observation is not."""
    client.force_login(cap.people.faculty)
    first = client.post(rate_url(cap), post_data(cap, client.get(rate_url(cap)).content.decode()))
    again_page = client.get(rate_url(cap)).content.decode()  # Back: a fresh key
    again = client.post(rate_url(cap), post_data(cap, again_page))
    assert Assessment.objects.count() == 1
    assert again["Location"] == first["Location"] + "?again=1"
    assert "This was already saved" in client.get(again["Location"]).content.decode()
    # a different rating is a second observation
    other_page = client.get(rate_url(cap)).content.decode()
    client.post(rate_url(cap), post_data(cap, other_page, **{f"rating-{cap.epa1.pk}": "4"}))
    assert Assessment.objects.count() == 2


def test_an_open_request_is_offered_not_forced_on_the_quick_path(
    client: Client, cap: Capture
) -> None:
    """The finding: tapping a learner with an overdue end-of-rotation request opened that
    evaluation and hid "use another form", so no EPA observation could be made."""
    eor = Form.objects.get(slug="end-of-rotation", program__isnull=True)
    req = Request.objects.create(
        program=cap.people.program,
        form=eor,
        subject=cap.people.learner,
        assessor=cap.people.faculty,
        origin=RequestOrigin.COORDINATOR,
        due_date=timezone.localdate() - dt.timedelta(days=10),
    )
    client.force_login(cap.people.faculty)
    html = client.get(rate_url(cap)).content.decode()
    assert f'name="form" value="{cap.form.pk}"' in html  # the quick observation
    assert "Answer that instead" in html and f'href="?form={eor.pk}"' in html
    assert "overdue since" in html
    assert "Use another form" in html
    r = client.post(rate_url(cap), post_data(cap, html))
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.OPEN  # an observation does not answer the request
    answer = client.get(f"{rate_url(cap)}?form={eor.pk}").content.decode()
    assert f'name="form" value="{eor.pk}"' in answer and "Answer that instead" not in answer


def test_the_start_page_and_an_observation_sent_make_a_fixed_number_of_queries(
    client: Client, cap: Capture, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    """The two requests of the 30-second observation: whom I supervise today, and the
    observation sent. However much the assessor rated the learner today, the same."""
    client.force_login(cap.people.faculty)
    client.get("/assess/")  # the session's first request notes when it began
    with django_assert_num_queries(START_QUERIES):
        assert client.get("/assess/").status_code == 200
    for n in range(4):
        page = client.get(rate_url(cap)).content.decode()
        data = post_data(
            cap,
            page,
            **{
                "comment-went-well": "A clear, ordered presentation.",
                "comment-next-time": f"Observation {n}: say the plan.",
            },
        )
        with django_assert_num_queries(SEND_QUERIES):
            assert client.post(rate_url(cap), data).status_code == 302
    assert Assessment.objects.count() == 4
    with django_assert_num_queries(START_QUERIES):
        assert client.get("/assess/").status_code == 200


# Session and user (2); the rater's programs; requests, drafts and recent work; today's
# supervision.
START_QUERIES = 7
# Session and user (2); program and roles; the learner; supervision and request; forms;
# the version (its prompts, questions and levels are kept in the process); the program's
# frameworks (their items kept); the same key or the same content sent minutes before (one
# query); the rules' frameworks; the assessment, rating, both comments and audit row, inside
# a savepoint and its release (a transaction when served, which is not counted).
SEND_QUERIES = 18


def test_each_chip_shows_the_items_whole_name_beside_its_code(client: Client, cap: Capture) -> None:
    """A touchscreen shows no tooltip, so the name is on the chip, whole: cut to four
    words, "Admit and stabilize an …" and "Care for a critically …" said too little to
    choose by (issue 15)."""
    client.force_login(cap.people.faculty)
    page = client.get(rate_url(cap)).content.decode()
    epas = (cap.epa1, cap.epa2, cap.epa3)
    assert max(len(epa.name.split()) for epa in epas) > 4  # names long enough to be cut
    for epa in epas:
        chip = page.split(f'<label class="chip" for="chip-{epa.pk}"')[1].split("</label>")[0]
        assert f'{epa.code} <span class="chip__name">{escape(epa.name)}</span>' in chip
