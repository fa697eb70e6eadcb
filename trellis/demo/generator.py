"""Synthetic data: Riverside University Health, its programs and its people.

Deterministic: the same seed, size and date give the same people, names, roles and dates.
Built from small steps (`generate_programs`, `generate_people`, `generate_adoptions`) that
later generators (assessments, schedules, committees) extend; `generate_demo` runs them all
in one transaction. Everything is written through the apps' services, so it is audited like
real data.

The demo log-ins are fixed (director@demo.trellis.test and so on, see `DEMO_LOGINS`); every
other person gets an invented name from `names.py`.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from trellis.assessments.requests.reminders import reminders_pass
from trellis.demo.assessments import DemoAssessments, generate_assessments
from trellis.demo.coaching import generate_coaching
from trellis.demo.committees import generate_review_cycle
from trellis.demo.curriculum import DemoCurriculum, generate_curriculum
from trellis.demo.educators import generate_educator_data
from trellis.demo.names import FIRST_NAMES, LAST_NAMES
from trellis.demo.rater_links import generate_rater_links
from trellis.demo.schedule import DemoSchedule, academic_year_start, generate_schedule
from trellis.demo.school import DemoSchool, generate_school
from trellis.demo.self_assessments import generate_self_assessments
from trellis.demo.slips import generate_slips
from trellis.frameworks.catalogue import catalogue_install
from trellis.frameworks.models import Adoption, Framework, Item
from trellis.frameworks.services import expected_level_set, framework_adopt
from trellis.people.accreditation import accreditation_ids_record
from trellis.people.models import (
    Department,
    Institution,
    Membership,
    Program,
    ProgramKind,
    Role,
    User,
)
from trellis.people.services import (
    department_create,
    institution_create,
    membership_add,
    person_create,
    program_create,
)

DEMO_DOMAIN = "demo.trellis.test"
DEMO_PASSWORD = "trellis-demo"  # noqa: S105 (published on purpose: demo data only)
DEMO_INSTITUTION_SLUG = "riverside-health"
DEMO_INSTITUTION_NAME = "Riverside University Health"
DEFAULT_SEED = 20250701
DEMO_ADS_NUMBER = "1409900001"  # made up: the shape of an ADS program number

DEPARTMENTS = (
    "Internal Medicine",
    "Emergency Medicine",
    "Family Medicine",
    "Graduate Medical Education",
    "Office of Medical Education",
)


@dataclass(frozen=True)
class DemoLogin:
    """One of the fixed demo log-ins, one per role, printed by `trellis demo`."""

    key: str
    role: Role
    first_name: str
    last_name: str
    where: str
    detail: str = ""

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_DOMAIN}"

    @property
    def label(self) -> str:
        name = Role(self.role).label
        return f"{name} ({self.detail})" if self.detail else name


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("director", Role.DIRECTOR, "Amara", "Okafor", "Internal Medicine Residency"),
    DemoLogin("coordinator", Role.COORDINATOR, "Marisol", "Reyes", "Internal Medicine Residency"),
    DemoLogin("faculty", Role.FACULTY, "Daniel", "Kim", "Internal Medicine Residency"),
    DemoLogin("committee", Role.COMMITTEE, "Priya", "Raman", "Internal Medicine Residency"),
    DemoLogin(
        "resident", Role.LEARNER, "Jamal", "Carter", "Internal Medicine Residency", "resident"
    ),
    DemoLogin(
        "dean", Role.DIRECTOR, "Helen", "Adeyemi", "Doctor of Medicine Program", "medical school"
    ),
    DemoLogin("student", Role.LEARNER, "Sofia", "Rossi", "Doctor of Medicine Program", "student"),
    DemoLogin("educator", Role.EDUCATOR, "Elena", "Novak", "Faculty Development"),
    DemoLogin("fdlead", Role.FD_LEAD, "Kwame", "Mensah", "Faculty Development"),
    DemoLogin("admin", Role.ADMIN, "Margaret", "Chen", DEMO_INSTITUTION_NAME),
)
LOGINS_BY_KEY = {login.key: login for login in DEMO_LOGINS}


@dataclass(frozen=True)
class DemoSize:
    """How big the institution is. The default makes a lively demo; benchmarks raise
    `learners_per_year` and `years` (say 120 x 4)."""

    learners_per_year: int = 10
    years: int = 3
    faculty: int = 20
    committee: int = 5
    students_per_year: int = 8
    educators: int = 8

    def __post_init__(self) -> None:
        if min(self.years, self.learners_per_year, self.students_per_year) < 1:
            raise ValueError("Every program needs at least one year and one learner a year")
        if min(self.committee, self.educators) < 1:
            raise ValueError("The committee and the educators need at least one person each")
        # The named faculty (director, faculty@, committee@, educator@) come out of `faculty`.
        if self.faculty < 4 + max(self.committee - 1, 0, self.educators - 1):
            raise ValueError("Too few faculty for the committee and educators asked for")


@dataclass
class DemoPrograms:
    institution: Institution
    departments: dict[str, Department]
    residency: Program
    medical_school: Program
    faculty_development: Program

    def all(self) -> list[Program]:
        return [self.residency, self.medical_school, self.faculty_development]


@dataclass
class DemoPeople:
    logins: dict[str, User]
    admin: User
    director: User
    coordinator: User
    fd_lead: User
    faculty: list[User]
    committee: list[User]
    residents: dict[int, list[User]]
    school_director: User
    school_coordinator: User
    school_faculty: list[User]
    students: dict[int, list[User]]
    educators: list[User]
    leniency: dict[str, float] = field(default_factory=dict)
    """Faculty e-mail -> rating tendency in levels: positive rates high, negative rates low.
    Kept here, not in the database, for the assessment generator."""

    def everyone(self) -> list[User]:
        seen: dict[int, User] = {}
        groups: list[list[User]] = [
            [self.admin, self.director, self.coordinator, self.fd_lead],
            [self.school_director, self.school_coordinator],
            self.faculty,
            self.school_faculty,
            self.educators,
            *self.residents.values(),
            *self.students.values(),
        ]
        for group in groups:
            for person in group:
                seen.setdefault(person.pk, person)
        return list(seen.values())


@dataclass
class Demo:
    seed: int
    size: DemoSize
    today: dt.date
    programs: DemoPrograms
    people: DemoPeople
    adoptions: list[Adoption]
    curricula: list[DemoCurriculum] = field(default_factory=list)
    schedule: DemoSchedule | None = None
    assessments: DemoAssessments | None = None
    school: DemoSchool | None = None


def leniency_for(email: str, *, seed: int) -> float:
    """A rater's tendency, fixed by the seed and the e-mail alone, so a later generator can
    recompute it for a reused database: most near 0, a few doves (+) and hawks (-)."""
    rng = random.Random(f"{seed}:{email}")
    return round(max(-1.0, min(1.0, rng.gauss(0.0, 0.35))), 2)


class _Names:
    """Invented names, unique e-mail addresses, from one seeded stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = {login.email for login in DEMO_LOGINS}

    def next(self) -> tuple[str, str, str]:
        first = self.rng.choice(FIRST_NAMES)
        last = self.rng.choice(LAST_NAMES)
        base = f"{_local(first)}.{_local(last)}"
        email, n = f"{base}@{DEMO_DOMAIN}", 1
        while email in self.used:
            n += 1
            email = f"{base}{n}@{DEMO_DOMAIN}"
        self.used.add(email)
        return first, last, email


def _local(name: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", name.lower())


def generate_programs(*, size: DemoSize, acting_user: User | None = None) -> DemoPrograms:
    """The institution, its departments and three programs: an internal medicine residency
    (`size.years` long), a four-year medical school and a faculty-development program."""
    institution = institution_create(
        slug=DEMO_INSTITUTION_SLUG, name=DEMO_INSTITUTION_NAME, acting_user=acting_user
    )
    departments = {
        name: department_create(institution=institution, name=name, acting_user=acting_user)
        for name in DEPARTMENTS
    }
    residency = program_create(
        institution=institution,
        slug="riverside-im",
        name="Internal Medicine Residency",
        kind=ProgramKind.RESIDENCY,
        specialty="Internal Medicine",
        length_years=size.years,
        acting_user=acting_user,
    )
    school = program_create(
        institution=institution,
        slug="riverside-md",
        name="Doctor of Medicine Program",
        kind=ProgramKind.MEDICAL_SCHOOL,
        length_years=4,
        acting_user=acting_user,
    )
    fd = program_create(
        institution=institution,
        slug="riverside-fd",
        name="Faculty Development",
        kind=ProgramKind.FACULTY_DEVELOPMENT,
        length_years=1,
        acting_user=acting_user,
    )
    return DemoPrograms(
        institution=institution,
        departments=departments,
        residency=residency,
        medical_school=school,
        faculty_development=fd,
    )


def generate_people(
    *,
    programs: DemoPrograms,
    size: DemoSize,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
) -> DemoPeople:
    """Everyone, with their memberships: the named demo log-ins, faculty, a committee,
    residents and students in every training year, and clinician educators (who are
    faculty too, as in life). People are created without a password; `generate_demo` sets
    them all at once."""
    rng = random.Random(seed)
    names = _Names(rng)
    year_start = academic_year_start(today or timezone.localdate())
    dept = programs.departments
    im, school, fd = programs.residency, programs.medical_school, programs.faculty_development

    def named(key: str, department: Department | None) -> User:
        login = LOGINS_BY_KEY[key]
        return person_create(
            email=login.email,
            first_name=login.first_name,
            last_name=login.last_name,
            department=department,
            acting_user=acting,
        )

    def invented(department: Department | None) -> User:
        first, last, email = names.next()
        return person_create(
            email=email, first_name=first, last_name=last, department=department, acting_user=acting
        )

    def since(years_ago: int, month: int = 7) -> dt.date:
        return dt.date(year_start.year - years_ago, month, 1)

    def join(
        person: User, program: Program, role: Role, start: dt.date, year: int | None = None
    ) -> None:
        membership_add(
            person=person,
            program=program,
            role=role,
            training_year=year,
            start_date=start,
            acting_user=acting,
        )

    acting: User | None = None
    admin = named("admin", dept["Graduate Medical Education"])
    membership_add(
        person=admin,
        program=None,
        institution=programs.institution,
        role=Role.ADMIN,
        start_date=since(6),
        acting_user=None,
    )
    acting = admin

    # Internal medicine residency: leaders and faculty.
    director = named("director", dept["Internal Medicine"])
    coordinator = named("coordinator", dept["Internal Medicine"])
    faculty_login = named("faculty", dept["Internal Medicine"])
    committee_login = named("committee", dept["Internal Medicine"])
    educator_login = named("educator", dept["Internal Medicine"])
    join(director, im, Role.DIRECTOR, since(4))
    join(coordinator, im, Role.COORDINATOR, since(3))
    generated_faculty = [
        invented(dept["Emergency Medicine"] if i % 7 == 6 else dept["Internal Medicine"])
        for i in range(size.faculty - 4)
    ]
    faculty = [director, faculty_login, committee_login, educator_login, *generated_faculty]
    for person in faculty:
        join(person, im, Role.FACULTY, since(4 if person is director else rng.randint(1, 15)))
    committee = [committee_login, *generated_faculty[: size.committee - 1]]
    for person in committee:
        join(person, im, Role.COMMITTEE, since(rng.randint(1, 3)))

    resident_year = min(2, size.years)
    residents: dict[int, list[User]] = {}
    for year in range(1, size.years + 1):
        cohort: list[User] = []
        for i in range(size.learners_per_year):
            is_login = year == resident_year and i == 0
            person = (
                named("resident", dept["Internal Medicine"])
                if is_login
                else invented(dept["Internal Medicine"])
            )
            join(person, im, Role.LEARNER, since(year - 1), year)
            cohort.append(person)
        residents[year] = cohort
    # The ACGME's identifiers, so the milestone upload of the demo's cycles can be made.
    learners = Membership.objects.filter(program=im, role=Role.LEARNER).order_by("pk")
    accreditation_ids_record(
        program=im,
        ads_number=DEMO_ADS_NUMBER,
        acgme={m.pk: str(2_600_000 + i) for i, m in enumerate(learners, start=1)},
        acting_user=acting,
    )

    # Medical school: its own leaders; some residency faculty teach there too.
    names.next()  # the name the dean once had: everyone after keeps theirs
    school_director = named("dean", dept["Office of Medical Education"])
    school_coordinator = invented(dept["Office of Medical Education"])
    join(school_director, school, Role.DIRECTOR, since(5, 8))
    join(school_coordinator, school, Role.COORDINATOR, since(2, 8))
    school_faculty = [faculty_login, *generated_faculty[size.committee - 1 :][:5]]
    for person in school_faculty:
        join(person, school, Role.FACULTY, since(rng.randint(1, 8), 8))
    # Three of them sit on the student progress committee.
    for person in school_faculty[1:4]:
        join(person, school, Role.COMMITTEE, since(2, 8))
    students: dict[int, list[User]] = {}
    for year in range(1, 5):
        cohort = []
        for i in range(size.students_per_year):
            person = named("student", None) if year == 3 and i == 0 else invented(None)
            join(person, school, Role.LEARNER, since(year - 1, 8), year)
            cohort.append(person)
        students[year] = cohort

    # Faculty development: the lead, and faculty who take part as clinician educators.
    fd_lead = named("fdlead", dept["Office of Medical Education"])
    join(fd_lead, fd, Role.FD_LEAD, since(3))
    educators = (
        [educator_login, *generated_faculty[-(size.educators - 1) :]]
        if size.educators > 1
        else [educator_login]
    )
    for person in educators:
        join(person, fd, Role.EDUCATOR, since(rng.randint(0, 2)))

    logins = {
        "admin": admin,
        "director": director,
        "coordinator": coordinator,
        "faculty": faculty_login,
        "committee": committee_login,
        "resident": residents[resident_year][0],
        "dean": school_director,
        "student": students[3][0],
        "educator": educator_login,
        "fdlead": fd_lead,
    }
    raters = {p.email for p in [*faculty, *school_faculty, school_director]}
    return DemoPeople(
        logins=logins,
        admin=admin,
        director=director,
        coordinator=coordinator,
        fd_lead=fd_lead,
        faculty=faculty,
        committee=committee,
        residents=residents,
        school_director=school_director,
        school_coordinator=school_coordinator,
        school_faculty=school_faculty,
        students=students,
        educators=educators,
        leniency={email: leniency_for(email, seed=seed) for email in sorted(raters)},
    )


def _item(framework: Framework, code: str) -> Item:
    return Item.objects.get(framework=framework, code=code)


def generate_adoptions(*, programs: DemoPrograms, acting_user: User | None) -> list[Adoption]:
    """Each program adopts its frameworks, with a few explicit expected levels where the
    default trajectory would be wrong for this program."""
    frameworks = {f.slug: f for f in Framework.objects.filter(institution__isnull=True)}
    im, school, fd = programs.residency, programs.medical_school, programs.faculty_development

    def adopt(program: Program, slug: str, graduation: str = "4") -> Adoption:
        return framework_adopt(
            program=program,
            framework=frameworks[slug],
            graduation_level=Decimal(graduation),
            acting_user=acting_user,
        )

    # IM Milestones 2.0 already carries the harmonized subcompetencies (PROF, ICS, PBLI,
    # SBP), so the residency does not adopt the harmonized set as well: it would list each
    # of those twice on every record and committee screen.
    im_milestones = adopt(im, "im-milestones-2")
    # The Core EPAs target indirect supervision (Chen level 3) on the first day of residency.
    core_epas = adopt(school, "aamc-core-epas", graduation="3")
    cem = adopt(fd, "clinician-educator-milestones")

    def expect(adoption: Adoption, year: int, level: str, code: str | None = None) -> None:
        if year > adoption.program.length_years:
            return
        expected_level_set(
            adoption=adoption,
            training_year=year,
            level=Decimal(level),
            item=_item(adoption.framework, code) if code else None,
            acting_user=acting_user,
        )

    # Telehealth and consultation come late in this curriculum; professionalism is expected
    # early.
    expect(im_milestones, 1, "1.5", "PC6")
    expect(im_milestones, 2, "2.5", "PC7")
    expect(im_milestones, 1, "2.5", "PROF1")
    # Procedures lag the other EPAs in the clerkship years.
    expect(core_epas, 3, "2", "EPA12")
    expect(core_epas, 4, "2.5", "EPA12")
    return [im_milestones, core_epas, cem]


def demo_institution() -> Institution | None:
    return Institution.objects.filter(slug=DEMO_INSTITUTION_SLUG).first()


@transaction.atomic
def generate_demo(
    *,
    seed: int = DEFAULT_SEED,
    size: DemoSize | None = None,
    today: dt.date | None = None,
    password: str | None = DEMO_PASSWORD,
    with_assessments: bool = True,
) -> Demo:
    """The whole demo institution: programs, people, frameworks adopted, curriculum maps,
    a year of schedule and (unless `with_assessments` is off, for callers that build their
    own) a year of assessments, requests, logs and exam scores. Needs an empty slot:
    refuses if the demo institution is already there."""
    size = size or DemoSize()
    day = today or timezone.localdate()
    if demo_institution() is not None:
        raise ValueError(f"The demo institution ({DEMO_INSTITUTION_SLUG}) already exists")
    catalogue_install()
    programs = generate_programs(size=size)
    people = generate_people(programs=programs, size=size, seed=seed, today=day)
    adoptions = generate_adoptions(programs=programs, acting_user=people.admin)
    rng = random.Random(seed)
    curricula = [
        generate_curriculum(
            program=programs.residency,
            framework_slugs=["im-milestones-2"],
            rng=rng,
            acting_user=people.coordinator,
        ),
        generate_curriculum(
            program=programs.faculty_development,
            framework_slugs=["clinician-educator-milestones"],
            rng=rng,
            acting_user=people.fd_lead,
        ),
    ]
    schedule = generate_schedule(
        program=programs.residency,
        year_start=academic_year_start(day),
        rng=rng,
        learners=people.residents,
        faculty=people.faculty,
        featured_faculty=people.logins["faculty"],
        today=day,
    )
    if password is not None:
        # One hash for everyone: hashing each of hundreds of people would take minutes.
        hashed = make_password(password)
        everyone = people.everyone()
        User.objects.filter(pk__in=[p.pk for p in everyone]).update(password=hashed)
        for person in everyone:
            person.password = hashed
    demo = Demo(
        seed=seed,
        size=size,
        today=day,
        programs=programs,
        people=people,
        adoptions=adoptions,
        curricula=curricula,
        schedule=schedule,
    )
    demo.school = generate_school(
        demo=demo, rng=random.Random(seed + 6), with_assessments=with_assessments
    )
    if with_assessments:
        demo.assessments = generate_assessments(demo=demo, rng=random.Random(seed + 1))
        generate_review_cycle(demo=demo, rng=random.Random(seed + 2))
        generate_educator_data(demo=demo, rng=random.Random(seed + 3))
        generate_rater_links(demo=demo, rng=random.Random(seed + 4))
        generate_self_assessments(demo=demo, rng=random.Random(seed + 5))
        generate_slips(demo=demo)
        generate_coaching(demo=demo)
        remind_as_the_worker_would(day)
    return demo


def remind_as_the_worker_would(day: dt.date, *, now: dt.datetime | None = None) -> None:
    """One pass of the reminder worker on the demo's today, so its requests stand as a
    running worker leaves them (the long overdue expired, reminders counted); the
    e-mails go nowhere. The pass is at noon of `day`, or now where that is earlier: a
    demo built in the morning said reminders "last sent" at a time still to come."""
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    at = min(at, now or timezone.now())
    outbox = get_connection("django.core.mail.backends.locmem.EmailBackend")
    reminders_pass(now=at, batch=100_000, connection=outbox)
