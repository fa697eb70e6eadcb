"""`trellis people ...`: a program's roster from a file, one membership, and the academic
year's turn.

    trellis people import FILE --program SLUG [--dry-run] [--invite]
    trellis people change EMAIL --program SLUG --role ROLE [--to-role R] [--training-year N]
                          [--on 2027-01-01]
    trellis people end EMAIL --program SLUG --role ROLE --last-day 2027-06-30
    trellis people invite EMAIL --program SLUG
    trellis people promote --program SLUG --last-day 2027-06-30 [--dry-run]

The import is all-or-nothing: with any problem it prints every one (row, column, message)
and exits non-zero, writing nothing. `change`, `end` and `invite` act on one person's
membership through the services the People page uses, so each is audited the same way; an
end already made is reported and changes nothing. `promote` prints who moves up and who
graduates, then does it (unless --dry-run); a second run for the same turn is refused and
changes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from trellis.lib.commands import TrellisCommand, exit_if_refused, iso_date
from trellis.people.importer import roster_import
from trellis.people.models import Membership, Program, Role
from trellis.people.services import (
    PromotionRefused,
    cohort_promote,
    membership_change,
    membership_end,
    person_invite,
    promotion_plan,
    role_from,
)


class Command(TrellisCommand):
    help = "Import a program's roster; change, end or invite one member; turn the year."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = sub.add_parser("import", help="Add the people in a CSV or .xlsx roster file")
        imp.add_argument("file")
        imp.add_argument("--program", required=True, help="the program's slug")
        imp.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        imp.add_argument(
            "--invite", action="store_true", help="e-mail each new person a set-password link"
        )

        change = sub.add_parser(
            "change", help="Change one membership's role or training year (from a day)"
        )
        change.add_argument("email")
        change.add_argument("--program", required=True, help="the program's slug")
        change.add_argument("--role", required=True, help="the role the person holds now")
        change.add_argument("--to-role", help="the new role (default: the same)")
        change.add_argument("--training-year", type=int, help="the new training year")
        change.add_argument(
            "--on", type=iso_date, help="the day a new role starts (default: today)"
        )

        end = sub.add_parser("end", help="End one membership on a day (its row is kept)")
        end.add_argument("email")
        end.add_argument("--program", required=True, help="the program's slug")
        end.add_argument("--role", required=True, help="the role to end")
        end.add_argument(
            "--last-day", required=True, type=iso_date, help="the membership's last day"
        )

        invite = sub.add_parser("invite", help="E-mail a member a link to set a password")
        invite.add_argument("email")
        invite.add_argument("--program", required=True, help="the program's slug")

        promote = sub.add_parser(
            "promote",
            help="Move every learner up a training year; graduate the final year",
        )
        promote.add_argument("--program", required=True, help="the program's slug")
        promote.add_argument(
            "--last-day",
            required=True,
            type=iso_date,
            help="the academic year's last day (YYYY-MM-DD); graduates end on it",
        )
        promote.add_argument("--dry-run", action="store_true", help="preview only")

    def handle(self, *args: Any, **options: Any) -> None:
        program = (
            Program.objects.select_related("institution").filter(slug=options["program"]).first()
        )
        if program is None:
            raise CommandError(f"No program with slug '{options['program']}'")
        actions = {
            "import": self._import,
            "change": self._change,
            "end": self._end,
            "invite": self._invite,
            "promote": self._promote,
        }
        actions[options["action"]](program, options)

    def _membership(self, program: Program, email: str, role: str) -> Membership:
        """The person's membership in `role`, the one in force (else the latest)."""
        wanted = role_from(role)
        if wanted is None:
            raise CommandError(f"Unknown role {role!r}")
        rows = Membership.objects.filter(
            program=program, person__email__iexact=email.strip(), role=wanted
        ).order_by(F("end_date").asc(nulls_first=True), "-start_date")  # open ones first
        found = rows.select_related("person", "program").first()
        if found is None:
            raise CommandError(f"{email} holds no {wanted.label} membership in {program.slug}")
        return found

    def _change(self, program: Program, options: dict[str, Any]) -> None:
        member = self._membership(program, options["email"], options["role"])
        role = role_from(options["to_role"]) if options["to_role"] else Role(member.role)
        if role is None:
            raise CommandError(f"Unknown role {options['to_role']!r}")
        year = options["training_year"] or member.training_year
        try:
            now = membership_change(
                membership=member,
                role=role,
                training_year=year if role == Role.LEARNER else None,
                on=options["on"] or timezone.localdate(),
                acting_user=None,
            )
        except ValueError as exc:  # a MembershipError too
            raise CommandError(f"{exc}; nothing changed") from exc
        year_text = f", year {now.training_year}" if now.training_year else ""
        self.stdout.write(f"{member.person.email}: {Role(now.role).label}{year_text}")

    def _end(self, program: Program, options: dict[str, Any]) -> None:
        member = self._membership(program, options["email"], options["role"])
        last_day = options["last_day"]
        if member.end_date is not None:
            self.stdout.write(
                f"{member.person.email}: already ended on {member.end_date}; nothing changed"
            )
            return
        try:
            membership_end(membership=member, end_date=last_day, acting_user=None)
        except ValueError as exc:
            raise CommandError(f"{exc}; nothing changed") from exc
        self.stdout.write(f"{member.person.email}: {member.get_role_display()} ends {last_day}")

    def _invite(self, program: Program, options: dict[str, Any]) -> None:
        email = options["email"].strip()
        member = (
            Membership.objects.filter(program=program, person__email__iexact=email)
            .select_related("person")
            .first()
        )
        if member is None:
            raise CommandError(f"{email} is not a member of {program.slug}")
        person_invite(person=member.person, program=program, acting_user=None)
        self.stdout.write(f"Sent {member.person.email} a link to set a password")

    def _import(self, program: Program, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = roster_import(
            program=program,
            filename=path.name,
            data=path.read_bytes(),
            acting_user=None,
            dry_run=options["dry_run"],
            invite=options["invite"],
        )
        exit_if_refused(self, result)
        self.stdout.write(f"{program.slug}: {result.summary()}")

    def _promote(self, program: Program, options: dict[str, Any]) -> None:
        last_day = options["last_day"]
        plan = promotion_plan(program=program, last_day=last_day)
        for move in plan.moves:
            m = move.membership
            self.stdout.write(
                f"up        {m.person.email}: year {m.training_year} -> {move.to_year}"
            )
        for m in plan.graduates:
            self.stdout.write(
                f"graduates {m.person.email}: year {m.training_year}, ends {last_day}"
            )
        for m in plan.unplaced:
            self.stdout.write(f"left      {m.person.email}: no training year")
        if plan.refusal:
            raise CommandError(f"{plan.refusal}; nothing changed")
        if options["dry_run"]:
            self.stdout.write(
                f"Would be: {len(plan.moves)} moved up, {len(plan.graduates)} graduated"
            )
            return
        try:
            turn = cohort_promote(program=program, last_day=last_day, acting_user=None)
        except PromotionRefused as exc:
            raise CommandError(f"{exc}; nothing changed") from exc
        self.stdout.write(
            f"{program.slug} turned on {last_day}: "
            f"{turn.promoted} moved up, {turn.graduated} graduated"
        )
