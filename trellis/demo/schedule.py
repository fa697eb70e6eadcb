"""Synthetic clinical schedule: one academic year of 13 four-week blocks for every learner of
a program, with sites, rotations, capacities and supervising faculty.

Rotations come from the program's clinical-experience activities (the curriculum map) when
there are any; otherwise a familiar internal-medicine set is created. Each training year
has its own mix (interns do more wards, seniors more electives); learners of a cohort start
at different points of their mix, so the rotations fill evenly, and no rotation is ever put
over its capacity. Everything goes through the schedule's services, so the same rules and
the same audit trail apply as to a real import.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils import timezone

from trellis.curriculum.models import Activity, ActivityKind
from trellis.people.models import Membership, Program, Role, User
from trellis.scheduling.models import AcademicYear, Assignment, Rotation, Site
from trellis.scheduling.rules import Draft
from trellis.scheduling.services import (
    academic_year_create,
    assignments_apply,
    blocks_generate,
    rotation_create,
    site_create,
)

SITES = (("UH", "University Hospital"), ("VA", "VA Medical Center"), ("CC", "Community Clinic"))

# Our own rotations, for a program whose curriculum map has no clinical experiences yet.
OWN_ROTATIONS = {
    "WARDS": "General Medicine Wards",
    "ICU": "Medical Intensive Care",
    "CARD": "Cardiology",
    "EM": "Emergency Medicine",
    "AMB": "Ambulatory Continuity Clinic",
    "NIGHT": "Night Float",
    "GERI": "Geriatrics",
    "ID": "Infectious Diseases",
    "NEPH": "Nephrology",
    "GI": "Gastroenterology",
    "ONC": "Hematology-Oncology",
    "PULM": "Pulmonology",
    "RHEUM": "Rheumatology",
    "ENDO": "Endocrinology",
    "NEURO": "Neurology",
    "ELEC": "Elective",
}
# Thirteen blocks per training year, repeats spread through the year (the last entry
# serves every later year): interns do four blocks of wards, seniors three of electives.
OWN_MIX = {
    1: "WARDS ICU AMB CARD WARDS NIGHT EM WARDS ICU GERI AMB WARDS ELEC",
    2: "WARDS ID ICU AMB WARDS CARD NEPH NIGHT ICU WARDS GI AMB ELEC",
    3: "WARDS ELEC ONC AMB PULM ICU ELEC RHEUM WARDS ENDO AMB NEURO ELEC",
}
CLINIC_WORDS = ("ambulatory", "clinic", "continuity", "outpatient", "community")


def academic_year_start(today: dt.date) -> dt.date:
    """Training years start on 1 July."""
    year = today.year if (today.month, today.day) >= (7, 1) else today.year - 1
    return dt.date(year, 7, 1)


@dataclass
class DemoSchedule:
    year: AcademicYear
    sites: list[Site]
    rotations: list[Rotation]
    assignments: list[Assignment]
    unassigned_blocks: int


def _sites(program: Program) -> list[Site]:
    out = []
    for code, name in SITES:
        site = Site.objects.filter(institution=program.institution, code=code).first()
        out.append(
            site
            or site_create(institution=program.institution, code=code, name=name, acting_user=None)
        )
    return out


def _year(program: Program, year_start: dt.date) -> AcademicYear:
    name = f"{year_start.year}-{year_start.year + 1}"
    year = AcademicYear.objects.filter(program=program, name=name).first()
    if year is None:
        end = dt.date(year_start.year + 1, year_start.month, year_start.day) - dt.timedelta(days=1)
        year = academic_year_create(
            program=program, name=name, start_date=year_start, end_date=end, acting_user=None
        )
    if not year.blocks.exists():
        blocks_generate(academic_year=year, acting_user=None)
    return year


def _learners_by_year(
    program: Program,
    year: AcademicYear,
    learners: Mapping[int, Sequence[User]] | Sequence[User] | None,
) -> dict[int, list[User]]:
    if isinstance(learners, Mapping):
        return {y: list(people) for y, people in sorted(learners.items())}
    wanted = {p.pk for p in learners} if learners is not None else None
    by_year: dict[int, list[User]] = defaultdict(list)
    seen: set[int] = set()
    for m in (
        Membership.objects.filter(program=program, role=Role.LEARNER, start_date__lte=year.end_date)
        .exclude(end_date__lt=year.start_date)
        .select_related("person")
        .order_by("training_year", "person__last_name", "person__first_name")
    ):
        if m.person_id in seen or (wanted is not None and m.person_id not in wanted):
            continue
        seen.add(m.person_id)
        by_year[m.training_year or 1].append(m.person)
    return dict(sorted(by_year.items()))


def _mixes(
    program: Program, use_activities: bool, years: list[int]
) -> tuple[dict[str, Rotation], dict[int, list[str]]]:
    """Rotations by key, and for each training year the 13 rotation keys of its mix. Keys
    are activity codes. Rotations are created here without capacity; `_capacities` sets
    them once the demand is known."""
    activities = (
        list(Activity.objects.filter(program=program, kind=ActivityKind.CLINICAL_EXPERIENCE))
        if use_activities
        else []
    )
    rotations: dict[str, Rotation] = {}
    if not activities:
        for code, title in OWN_ROTATIONS.items():
            existing = Rotation.objects.filter(program=program, activity__code=code).first()
            rotations[code] = existing or rotation_create(
                program=program, code=code, title=title, acting_user=None
            )
        return rotations, {y: OWN_MIX[min(y, max(OWN_MIX))].split() for y in years}
    for activity in activities:
        existing = Rotation.objects.filter(activity=activity).first()
        rotations[activity.code] = existing or rotation_create(
            program=program, activity=activity, acting_user=None
        )
    mixes = {}
    for y in years:
        fitting = [a.code for a in activities if a.training_year in (None, y)] or [
            a.code for a in activities
        ]
        # The first experiences listed are the core ones: they come round twice as often.
        weighted = fitting + fitting[:3]
        mixes[y] = [weighted[i % len(weighted)] for i in range(13)]
    return rotations, mixes


def _capacities(rotations: dict[str, Rotation], demand: Counter[str]) -> None:
    """A capacity a little above the average number of learners a block needs."""
    for key, rotation in rotations.items():
        if rotation.capacity is None and demand[key]:
            rotation.capacity = math.ceil(demand[key] / 13) + 1
            rotation.save(update_fields=["capacity"])


def _site_for(rotation: Rotation, sites: list[Site], rng: random.Random) -> Site:
    title = rotation.activity.title.casefold()
    if any(word in title for word in CLINIC_WORDS):
        return sites[2]
    return sites[0] if rng.random() < 0.7 else sites[1]


def generate_schedule(
    *,
    program: Program,
    year_start: dt.date,
    rng: random.Random,
    learners: Mapping[int, Sequence[User]] | Sequence[User] | None = None,
    faculty: Sequence[User] | None = None,
    rotations_from_activities: bool = True,
    featured_faculty: User | None = None,
    today: dt.date | None = None,
) -> DemoSchedule:
    """Schedule a whole academic year (from `year_start`, 13 four-week blocks) for the
    program's learners (a mapping of training year to people, a list, or by default every
    learner of the program), each assignment with one or two supervisors from `faculty`
    (default: the program's faculty). `featured_faculty` (the demo's faculty log-in) is made
    a supervisor of a few learners on `today`, so "My learners now" has something to show."""
    today = today or timezone.localdate()
    sites = _sites(program)
    year = _year(program, year_start)
    blocks = list(year.blocks.order_by("start_date"))
    cohorts = _learners_by_year(program, year, learners)
    rotations, mixes = _mixes(program, rotations_from_activities, list(cohorts) or [1])
    demand: Counter[str] = Counter()
    for y, people in cohorts.items():
        for key in mixes[y]:
            demand[key] += len(people)
    _capacities(rotations, demand)

    staff = (
        list(faculty)
        if faculty is not None
        else list(
            User.objects.filter(memberships__program=program, memberships__role=Role.FACULTY)
            .distinct()
            .order_by("last_name", "first_name")
        )
    )
    teams = {key: rng.sample(staff, k=min(len(staff), 3)) for key in rotations} if staff else {}
    core = [key for key, _ in demand.most_common(2)]
    if featured_faculty is not None:
        for key in core:
            if featured_faculty not in teams.get(key, []):
                teams.setdefault(key, []).append(featured_faculty)

    taken: dict[int, Counter[str]] = defaultdict(Counter)
    drafts: list[Draft] = []
    unassigned = 0
    featured_today = 0
    for y, people in cohorts.items():
        for i, person in enumerate(people):
            # Spread a cohort's starting points over the year, and cohorts apart from each
            # other, so that every rotation is staffed in every block.
            offset = (i * 13 // len(people) + (y - 1) * 4) % 13
            mix = mixes[y]
            preferred = mix[offset:] + mix[:offset]
            remaining = Counter(mix)
            for b, block in enumerate(blocks):
                picked = _pick(preferred[b], preferred, remaining, rotations, taken[b])
                if picked is None:
                    unassigned += 1
                    continue
                remaining[picked] -= 1
                taken[b][picked] += 1
                rotation = rotations[picked]
                team = teams.get(picked, [])
                chosen = rng.sample(team, k=min(len(team), rng.choice((1, 1, 2))))
                covers_today = block.start_date <= today <= block.end_date
                if (
                    featured_faculty is not None
                    and covers_today
                    and picked in core
                    and featured_today < 3
                ):
                    if featured_faculty not in chosen:
                        chosen = [featured_faculty, *chosen[:1]]
                    featured_today += 1
                drafts.append(
                    Draft(
                        person,
                        rotation,
                        _site_for(rotation, sites, rng),
                        block.start_date,
                        block.end_date,
                        chosen,
                    )
                )
    applied = assignments_apply(program=program, year=year, drafts=drafts, acting_user=None)
    return DemoSchedule(
        year=year,
        sites=sites,
        rotations=list(rotations.values()),
        assignments=applied.created,
        unassigned_blocks=unassigned,
    )


def _pick(
    first: str,
    preferred: list[str],
    remaining: Counter[str],
    rotations: dict[str, Rotation],
    taken: Counter[str],
) -> str | None:
    """The learner's planned rotation for this block if it has room; else the next one of
    their plan that has; else any rotation with room; else None (a gap in the year)."""

    def room(key: str) -> bool:
        capacity = rotations[key].capacity
        return capacity is None or taken[key] < capacity

    if remaining[first] > 0 and room(first):
        return first
    for key in preferred:
        if remaining[key] > 0 and room(key):
            return key
    return next((key for key in rotations if room(key)), None)
