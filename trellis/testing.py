"""Named people for tests: one program with someone in every role, and an outsider.

Tests use these through the `people` fixture (conftest.py), so a test reads like a spec:
`client.force_login(people.learner)`.
"""

from __future__ import annotations

import datetime as dt
import io
import socket
from dataclasses import dataclass

from openpyxl import Workbook

from trellis.people.models import Institution, Membership, Program, ProgramKind, Role, User

PASSWORD = "correct-horse-battery"


def make_user(email: str, first: str, last: str) -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, first_name=first, last_name=last
    )


def add_member(
    person: User,
    program: Program | None,
    role: Role,
    *,
    institution: Institution | None = None,
    training_year: int | None = None,
    start: dt.date = dt.date(2020, 7, 1),
) -> Membership:
    where = institution or (program.institution if program else None)
    assert where is not None, "an institution admin needs an institution"
    return Membership.objects.create(
        person=person,
        program=program,
        institution=where,
        role=role,
        training_year=training_year,
        start_date=start,
    )


@dataclass
class People:
    institution: Institution
    program: Program
    fd_program: Program
    other_institution: Institution
    other_program: Program
    director: User
    coordinator: User
    faculty: User
    committee: User
    learner: User
    learner2: User
    educator: User
    fd_lead: User
    admin: User
    outsider: User

    def everyone(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in [
                "director",
                "coordinator",
                "faculty",
                "committee",
                "learner",
                "learner2",
                "educator",
                "fd_lead",
                "admin",
                "outsider",
            ]
        }


def make_people() -> People:
    inst = Institution.objects.create(slug="riverside", name="Riverside University")
    program = Program.objects.create(
        institution=inst,
        slug="im-residency",
        name="Internal Medicine Residency",
        kind=ProgramKind.RESIDENCY,
        specialty="Internal Medicine",
        length_years=3,
    )
    fd = Program.objects.create(
        institution=inst,
        slug="faculty-development",
        name="Faculty Development",
        kind=ProgramKind.FACULTY_DEVELOPMENT,
        length_years=1,
    )
    other_inst = Institution.objects.create(slug="hillcrest", name="Hillcrest Medical College")
    other_program = Program.objects.create(
        institution=other_inst,
        slug="hc-surgery",
        name="Hillcrest General Surgery",
        kind=ProgramKind.RESIDENCY,
        length_years=5,
    )
    director = make_user("director@riverside.test", "Dana", "Okafor")
    coordinator = make_user("coordinator@riverside.test", "Corey", "Lindqvist")
    faculty = make_user("faculty@riverside.test", "Farah", "Mendes")
    committee = make_user("committee@riverside.test", "Chidi", "Yamamoto")
    learner = make_user("learner@riverside.test", "Lena", "Park")
    learner2 = make_user("learner2@riverside.test", "Luis", "Alvarez")
    educator = make_user("educator@riverside.test", "Elif", "Novak")
    fd_lead = make_user("fdlead@riverside.test", "Faye", "Dubois")
    admin = make_user("admin@riverside.test", "Ada", "Brennan")
    outsider = make_user("outsider@hillcrest.test", "Otto", "Sandoval")

    add_member(director, program, Role.DIRECTOR)
    add_member(director, program, Role.FACULTY)
    add_member(coordinator, program, Role.COORDINATOR)
    add_member(faculty, program, Role.FACULTY)
    add_member(committee, program, Role.COMMITTEE)
    add_member(committee, program, Role.FACULTY)
    add_member(learner, program, Role.LEARNER, training_year=1)
    add_member(learner2, program, Role.LEARNER, training_year=2)
    add_member(educator, fd, Role.EDUCATOR)
    add_member(fd_lead, fd, Role.FD_LEAD)
    add_member(admin, None, Role.ADMIN, institution=inst)
    add_member(outsider, other_program, Role.DIRECTOR)
    return People(
        institution=inst,
        program=program,
        fd_program=fd,
        other_institution=other_inst,
        other_program=other_program,
        director=director,
        coordinator=coordinator,
        faculty=faculty,
        committee=committee,
        learner=learner,
        learner2=learner2,
        educator=educator,
        fd_lead=fd_lead,
        admin=admin,
        outsider=outsider,
    )


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    """An Excel workbook of `rows` (one sheet), as an importer receives it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
