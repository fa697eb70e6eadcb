from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from trellis.assessments.capture.services import (
    AssessmentRefused,
    CommentInput,
    RatingInput,
    assessment_edit,
    assessment_snapshot,
    assessment_submit,
    form_rules,
)
from trellis.assessments.instruments.builtin import BUILTIN_FORMS, forms_install_builtin
from trellis.assessments.models import (
    Assessment,
    AssessmentSource,
    AssessmentStatus,
    Form,
    Rating,
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


def submit(cap: Capture, **kw):  # type: ignore[no-untyped-def]
    args = dict(
        program=cap.people.program,
        form_version=cap.version,
        subject=cap.people.learner,
        assessor=cap.people.faculty,
        assessor_role="faculty",
        observed_on=timezone.localdate(),
        ratings=[RatingInput(cap.epa1, Decimal("3"))],
        comments=[CommentInput("next-time", "Commit to a leading diagnosis.")],
        acting_user=cap.people.faculty,
        client_key="k-1",
    )
    args.update(kw)
    return assessment_submit(**args)


def test_it_installs_every_builtin_form_once(db: None) -> None:
    assert Form.objects.filter(program__isnull=True).count() == len(BUILTIN_FORMS)
    assert forms_install_builtin() == []
    teaching = Form.objects.get(slug="teaching-evaluation")
    assert teaching.anonymous
    codes = [q.item.code for q in teaching.versions.get().questions.all()]
    assert codes == ["ETP7", "ETP1", "ADM3"]
    prompt = (
        Form.objects.get(slug="epa-observation-chen").versions.get().prompts.get(key="next-time")
    )
    assert prompt.text == "One thing to do next time" and prompt.placeholder.startswith("e.g.")


def test_it_records_an_assessment_with_audit(cap: Capture) -> None:
    result = submit(cap)
    a = result.assessment
    assert result.created
    assert a.status == AssessmentStatus.SUBMITTED
    assert a.editable_until == a.submitted_at + dt.timedelta(hours=24)  # type: ignore[operator]
    assert [(r.item.code, r.level) for r in a.ratings.all()] == [("EPA1", Decimal("3.0"))]
    event = AuditEvent.objects.get(action="assessment.submit")
    assert event.after["ratings"] == {"EPA1": "3.0"}


def test_the_audit_of_a_new_assessment_is_what_reading_it_back_gives(cap: Capture) -> None:
    """The audit row of a new assessment is built from what was written, not read back:
    it must say exactly what assessment_snapshot says of the stored rows."""
    kept = submit(
        cap,
        ratings=[
            RatingInput(cap.epa2, Decimal("4")),
            RatingInput(cap.epa1, None, not_observed=True),
            RatingInput(cap.epa3, Decimal("2.00")),
        ],
        comments=[
            CommentInput("next-time", "  Present the plan first.  "),
            CommentInput("general", "   "),
        ],
    ).assessment
    draft = submit(cap, client_key="k-2", draft=True, ratings=[RatingInput(cap.epa1, Decimal(5))])
    for a, action in ((kept, "assessment.submit"), (draft.assessment, "assessment.draft")):
        after = AuditEvent.objects.get(
            action=action, target_type="assessments.assessment", target_id=str(a.pk)
        ).after
        assert after == assessment_snapshot(Assessment.objects.get(pk=a.pk))
    assert AuditEvent.objects.get(
        action="assessment.submit", target_type="assessments.assessment", target_id=str(kept.pk)
    ).after["ratings"] == {
        "EPA1": "not observed",
        "EPA2": "4.0",
        "EPA3": "2.0",
    }


def test_form_rules_read_once_serve_many_submissions(
    cap: Capture, django_assert_max_num_queries: Any
) -> None:
    rules = form_rules(
        program=cap.people.program, form_version=cap.version, assessor_role="faculty"
    )
    submit(cap, client_key="warm", rules=rules)
    with django_assert_max_num_queries(
        12
    ):  # the writes, the guard and the audit, no reads of the form
        submit(cap, client_key="k-9", rules=rules)
    other = form_rules(program=cap.people.program, form_version=cap.version, assessor_role="self")
    with pytest.raises(AssessmentRefused):  # rules for another role are not taken as these
        submit(cap, client_key="k-10", rules=other, ratings=[RatingInput(cap.epa1, Decimal("9"))])


def test_it_returns_the_same_assessment_for_the_same_client_key(cap: Capture) -> None:
    first = submit(cap)
    events = AuditEvent.objects.count()
    second = submit(cap, ratings=[RatingInput(cap.epa1, Decimal("5"))])
    assert not second.created
    assert second.assessment.pk == first.assessment.pk
    assert Assessment.objects.count() == 1
    assert Rating.objects.get().level == Decimal("3")
    assert AuditEvent.objects.count() == events


def test_it_returns_the_same_assessment_for_the_same_external_id(cap: Capture) -> None:
    kw = dict(client_key="", source=AssessmentSource.IMPORT, external_id="row-7", assessor=None)
    assert submit(cap, **kw).created
    assert not submit(cap, **kw).created
    assert Assessment.objects.count() == 1


def test_the_same_content_again_within_minutes_is_the_same_submission(cap: Capture) -> None:
    """Back after submitting sends the form again under a new key: the same content (in any
    order, a level written 3 or 3.0, blank comments left out) is that page sent again; a
    change of rating, comment, concern or day is another observation, and so is the same
    content after the window or after its first was corrected to say something else."""
    first = submit(cap).assessment
    same = submit(
        cap,
        client_key="k-2",
        ratings=[RatingInput(cap.epa1, Decimal("3.0"))],
        comments=[
            CommentInput("went-well", "  "),
            CommentInput("next-time", " Commit to a leading diagnosis. "),
        ],
    )
    assert (same.assessment, same.created) == (first, False)
    for n, change in enumerate([
        {"ratings": [RatingInput(cap.epa1, Decimal("4"))]},
        {"ratings": [RatingInput(cap.epa1, Decimal("3")), RatingInput(cap.epa2, None, True)]},
        {"comments": [CommentInput("next-time", "Something else.")]},
        {"concerns": ["professionalism"]},
        {"observed_on": timezone.localdate() - dt.timedelta(days=1)},
    ]):  # fmt: skip
        assert submit(cap, client_key=f"other-{n}", **change).created, change
    Assessment.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - dt.timedelta(minutes=16)
    )
    later = submit(cap, client_key="k-3")
    assert later.created
    assessment_edit(
        assessment=later.assessment,
        ratings=[RatingInput(cap.epa1, Decimal("2"))],
        acting_user=cap.people.faculty,
    )
    assert submit(cap, client_key="k-4").created  # it says 2 now, not 3
    corrected = submit(
        cap, client_key="k-5", ratings=[RatingInput(cap.epa1, Decimal("2"))], comments=()
    )
    assert (corrected.assessment, corrected.created) == (later.assessment, False)


def test_it_settles_a_race_on_the_unique_constraint(cap: Capture) -> None:
    # A second call that misses the look-up (it ran before the first committed) must still
    # end with one row: simulate by inserting the winner between the check and the write.
    from trellis.assessments.capture import services

    real = services._existing
    calls = {"n": 0}

    def late(**kw):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            submit(cap)  # the winner
            return None
        return real(**kw)

    services._existing = late  # type: ignore[assignment]
    try:
        result = submit(cap)
    finally:
        services._existing = real  # type: ignore[assignment]
    assert not result.created
    assert Assessment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_makes_one_assessment_from_two_threads(people: People) -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory test database's shared cache says 'table is locked' instead of "
            "waiting; the race itself is covered by the unique-constraint test above"
        )
    cap = make_capture(people)
    results: list[object] = []
    errors: list[BaseException] = []

    def go() -> None:
        try:
            results.append(submit(cap).created)
        except BaseException as e:  # reported below, with the thread's own traceback lost
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == [False, True]  # type: ignore[type-var]
    assert Assessment.objects.count() == 1


def test_it_keeps_a_draft_then_submits_it(cap: Capture) -> None:
    draft = submit(cap, draft=True, ratings=[], comments=[]).assessment
    assert draft.status == AssessmentStatus.DRAFT and draft.editable_until is None
    again = submit(cap, draft=True, ratings=[RatingInput(cap.epa2, Decimal("2"))])
    assert again.assessment.pk == draft.pk and again.created
    done = submit(cap, ratings=[RatingInput(cap.epa1, Decimal("4"))])
    assert done.created and done.assessment.pk == draft.pk
    assert done.assessment.status == AssessmentStatus.SUBMITTED
    assert [r.item.code for r in done.assessment.ratings.all()] == ["EPA1"]
    assert Assessment.objects.count() == 1


def test_it_refuses_a_level_not_on_the_scale(cap: Capture) -> None:
    with pytest.raises(AssessmentRefused) as e:
        submit(cap, ratings=[RatingInput(cap.epa1, Decimal("2.5"))])
    assert f"rating-{cap.epa1.pk}" in e.value.problems
    with pytest.raises(AssessmentRefused):
        submit(cap, ratings=[RatingInput(cap.epa1, Decimal("6"))])
    assert not Assessment.objects.exists()


def test_it_accepts_half_levels_where_the_scale_allows(cap: Capture) -> None:
    version = Form.objects.get(slug="end-of-rotation").versions.get()
    a = submit(cap, form_version=version, ratings=[RatingInput(cap.pc1, Decimal("2.5"))])
    assert a.created
    with pytest.raises(AssessmentRefused):
        submit(
            cap,
            client_key="k-2",
            form_version=version,
            ratings=[RatingInput(cap.pc1, Decimal("2.25"))],
        )


def test_not_observed_excludes_a_level(cap: Capture) -> None:
    with pytest.raises(AssessmentRefused):
        submit(cap, ratings=[RatingInput(cap.epa1, Decimal("3"), not_observed=True)])
    with pytest.raises(AssessmentRefused) as e:
        submit(cap, ratings=[RatingInput(cap.epa1, None, not_observed=True)], comments=[])
    assert "ratings" in e.value.problems
    # An EPA observation of nothing but "not observed" is no observation, comment or not
    with pytest.raises(AssessmentRefused) as e:
        submit(cap, ratings=[RatingInput(cap.epa1, None, not_observed=True)])
    assert "at least one item" in e.value.problems["ratings"]
    ok = submit(
        cap,
        ratings=[
            RatingInput(cap.epa1, None, not_observed=True),
            RatingInput(cap.epa2, Decimal("3")),
        ],
    )
    assert ok.assessment.ratings.get(item=cap.epa1).not_observed


def test_it_refuses_an_item_outside_a_fixed_form(cap: Capture) -> None:
    version = Form.objects.get(slug="multisource").versions.get()
    with pytest.raises(AssessmentRefused):
        submit(cap, form_version=version, assessor_role="nurse")


def test_submitting_completes_the_request(cap: Capture) -> None:
    req = Request.objects.create(
        program=cap.people.program,
        form=cap.form,
        subject=cap.people.learner,
        assessor=None,
        origin=RequestOrigin.LEARNER,
        due_date=timezone.localdate(),
    )
    submit(cap, request=req)
    req.refresh_from_db()
    assert req.status == RequestStatus.COMPLETED
    with pytest.raises(AssessmentRefused) as e:
        submit(
            cap, request=req, client_key="k-other", ratings=[RatingInput(cap.epa1, Decimal("4"))]
        )
    assert "request" in e.value.problems


def test_it_edits_within_the_window_with_before_and_after(cap: Capture) -> None:
    a = submit(cap).assessment
    assessment_edit(
        assessment=a,
        ratings=[RatingInput(cap.epa1, Decimal("4"))],
        comments=[CommentInput("went-well", "Great.")],
        acting_user=cap.people.faculty,
    )
    event = AuditEvent.objects.get(action="assessment.edit")
    assert event.before["ratings"] == {"EPA1": "3.0"}
    assert event.after["ratings"] == {"EPA1": "4.0"}
    assert event.after["comments"] == {"went-well": "Great."}


def test_it_refuses_an_edit_after_the_window(cap: Capture) -> None:
    a = submit(cap).assessment
    with pytest.raises(AssessmentRefused):
        assessment_edit(
            assessment=a,
            ratings=[RatingInput(cap.epa1, Decimal("4"))],
            acting_user=cap.people.faculty,
            now=timezone.now() + dt.timedelta(hours=25),
        )
    assert a.ratings.get().level == Decimal("3")
