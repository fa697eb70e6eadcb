"""`trellis demo --no-serve`: migrate, catalogue, demo institution, log-ins."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from trellis.assessments.models import ReminderPass, Request, RequestStatus
from trellis.demo.generator import DEMO_LOGINS, DEMO_PASSWORD, DemoSize, generate_demo
from trellis.frameworks.models import Framework
from trellis.people.models import Institution, Program, User
from trellis.testing import People

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The demo is for development; the tests that want production say so.
    settings.DEBUG = True


def small_demo() -> None:
    size = DemoSize(
        learners_per_year=1, years=1, faculty=5, committee=1, students_per_year=1, educators=1
    )
    generate_demo(size=size, password=None)


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def test_it_sets_up_the_demo_and_prints_a_log_in_for_every_role(
    settings: Any, tmp_path: Path
) -> None:
    settings.TRELLIS_ANALYTICS_HISTORY = str(tmp_path / "analytics" / "consortium.parquet")
    out = demo()
    assert "Created Riverside University Health" in out
    # The consortium history the demo's risk figures are calibrated on, written once.
    assert "Wrote the demo consortium's history" in out
    assert pq.ParquetFile(settings.TRELLIS_ANALYTICS_HISTORY).metadata.num_rows > 500_000
    for login in DEMO_LOGINS:
        line = next(line for line in out.splitlines() if login.email in line)
        assert DEMO_PASSWORD in line
        assert login.label in line
    assert Framework.objects.filter(institution__isnull=True).count() >= 4
    assert User.objects.get(email="director@demo.trellis.test").check_password(DEMO_PASSWORD)
    # requests stand as the reminder worker leaves them: none open 30 days overdue, the
    # overdue ones reminded, and the page can say when the worker last ran
    overdue = Request.objects.filter(status=RequestStatus.OPEN, due_date__lt=timezone.localdate())
    assert overdue.exists() and not overdue.filter(reminders_sent=0).exists()
    month_ago = timezone.localdate() - dt.timedelta(days=30)
    assert not overdue.filter(due_date__lte=month_ago).exists()
    assert Request.objects.filter(status=RequestStatus.EXPIRED).exists()
    assert ReminderPass.objects.get().emails > 0


def test_it_reuses_the_demo_institution_when_run_again() -> None:
    demo()
    people = User.objects.count()
    out = demo()
    assert "reusing it" in out
    assert User.objects.count() == people
    assert Institution.objects.filter(slug="riverside-health").count() == 1


def test_reset_starts_afresh_and_keeps_other_institutions(people: People) -> None:
    small_demo()
    old_demo = Institution.objects.get(slug="riverside-health")
    User.objects.create_user(email="stray@example.test")
    outside = set(User.objects.exclude(email__endswith="@demo.trellis.test").values_list("pk"))
    out = demo("--reset")
    assert "Removed Riverside University Health" in out
    assert "Created Riverside University Health" in out
    assert Institution.objects.get(slug="riverside-health").pk != old_demo.pk
    # Another institution, its programs and its people, and a stray account: all still here.
    assert Institution.objects.filter(pk=people.other_institution.pk).exists()
    assert Program.objects.filter(pk=people.other_program.pk).exists()
    assert outside <= set(User.objects.values_list("pk"))
    assert Framework.objects.filter(slug="im-milestones-2").exists()


def test_it_refuses_with_debug_off(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--i-know-this-is-not-production"):
        demo()
    assert not Institution.objects.filter(slug="riverside-health").exists()
    assert not User.objects.exists()


def test_the_flag_lets_it_run_with_debug_off(settings: Any) -> None:
    settings.DEBUG = False
    small_demo()
    out = demo("--i-know-this-is-not-production")
    assert "reusing it" in out
    assert "director@demo.trellis.test" in out


def test_it_refuses_a_port_that_is_not_one() -> None:
    with pytest.raises(CommandError, match="Not a port"):
        demo("--port", "70000")


def test_the_demos_reminder_pass_never_lies_in_the_future() -> None:
    """A demo built at 01:50 said "Reminders last sent 8 Dec 12:00" (issue 15 audit)."""
    from trellis.demo.generator import remind_as_the_worker_would

    today = timezone.localdate()
    morning = timezone.make_aware(dt.datetime.combine(today, dt.time(8)))
    remind_as_the_worker_would(today, now=morning)
    assert ReminderPass.objects.get().finished_at == morning
    evening = morning + dt.timedelta(hours=12)
    remind_as_the_worker_would(today, now=evening)
    assert ReminderPass.objects.get().finished_at == evening - dt.timedelta(hours=8)
