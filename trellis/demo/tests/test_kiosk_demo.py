"""The demo's patient kiosk: a clinic session this morning, three patients' answers about
the featured resident, ended by the coordinator, so the kiosks page shows one."""

from __future__ import annotations

from trellis.assessments.models import Assessment, AssessmentSource, KioskSession
from trellis.demo.tests.test_removal import small_demo


def test_the_demo_has_an_ended_kiosk_with_three_patient_answers(db: None) -> None:
    small_demo()
    kiosk = KioskSession.objects.get()
    assert kiosk.ended_at is not None and kiosk.submissions == 3
    assert kiosk.learners.count() == 2 and kiosk.label == "Tuesday clinic, room 3"
    answers = Assessment.objects.filter(source=AssessmentSource.KIOSK)
    assert answers.count() == 3
    assert {(a.assessor_id, a.assessor_name, a.assessor_role) for a in answers} == {
        (None, "", "patient")
    }
    assert len({a.subject_id for a in answers}) == 1
