"""Confirming on someone else's device: a faculty member's PIN, or their password.

Elentra's "complete and confirm via PIN": a learner starts an observation on their own
phone and hands it over; the faculty member rates and confirms with their PIN. The PIN is
4 to 8 digits, hashed like a password. Every wrong try (PIN or password) is counted on the
person and audited, with the signed-in person who made it (the phone's owner); after
PIN_TRIES wrong tries in a row confirmation is locked for PIN_LOCK, and after PIN_DISABLE
in a row the PIN stops working until its owner sets a new one (their password still
confirms, once the lock has passed). A right try clears the count. Signing in is never
locked by this: it has its own limits (`people.auth`).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from trellis.audit.services import audit_record
from trellis.people.models import ConfirmPin, Program, User

PIN_PATTERN = re.compile(r"[0-9]{4,8}")
PIN_TRIES = 5
PIN_LOCK = dt.timedelta(minutes=15)
PIN_DISABLE = 3 * PIN_TRIES


class PinRefused(ValueError):
    """The PIN may not be set, or confirmation failed; the message says why."""


def pin_is_set(*, person: User) -> bool:
    return ConfirmPin.objects.filter(person=person).exclude(pin="").exists()


@transaction.atomic
def pin_set(*, person: User, pin: str, acting_user: User) -> None:
    """Set (or replace) `person`'s PIN; the count of wrong tries and any lock go with the
    old one. Raises PinRefused for anything but 4 to 8 digits."""
    if not PIN_PATTERN.fullmatch(pin):
        raise PinRefused("A PIN is 4 to 8 digits.")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise PinRefused("Choose a PIN that is not one digit repeated or a run like 1234.")
    row, _ = ConfirmPin.objects.select_for_update().get_or_create(person=person)
    row.pin = make_password(pin)
    row.set_at = timezone.now()
    row.failures = 0
    row.locked_until = None
    row.save()
    audit_record(actor=acting_user, action="pin.set", target=row, after={"set": True})


@transaction.atomic
def pin_remove(*, person: User, acting_user: User) -> None:
    row = ConfirmPin.objects.select_for_update().filter(person=person).exclude(pin="").first()
    if row is None:
        return
    row.pin = ""
    row.save(update_fields=["pin"])
    audit_record(actor=acting_user, action="pin.remove", target=row, after={"set": False})


def _right(row: ConfirmPin, person: User, secret: str) -> bool:
    pin_ok = row.pin and row.failures < PIN_DISABLE and PIN_PATTERN.fullmatch(secret)
    if pin_ok and check_password(secret, row.pin):
        return True
    password_ok = settings.PASSWORD_SIGN_IN and person.has_usable_password()
    return bool(password_ok and person.check_password(secret))


def confirm_identity(
    *, person: User, secret: str, acting_user: User, program: Program | None = None
) -> None:
    """Check that `secret` is `person`'s PIN or password, typed on `acting_user`'s device.
    Raises PinRefused (the wrong try counted and audited, whatever happens after) when it
    is not, or while confirmation is locked."""
    problem = _confirm(person=person, secret=secret, acting_user=acting_user, program=program)
    if problem:
        raise PinRefused(problem)


@transaction.atomic
def _confirm(*, person: User, secret: str, acting_user: User, program: Program | None) -> str:
    row, _ = ConfirmPin.objects.select_for_update().get_or_create(person=person)
    now = timezone.now()
    name = person.first_name or person.display_name
    if row.locked_until is not None and row.locked_until > now:
        until = timezone.localtime(row.locked_until)
        return f"Too many wrong tries: {name} can confirm again after {until:%H:%M}."
    if secret and _right(row, person, secret):
        if row.failures or row.locked_until:
            row.failures, row.locked_until = 0, None
            row.save(update_fields=["failures", "locked_until"])
        return ""
    row.failures += 1
    if row.failures % PIN_TRIES == 0:
        row.locked_until = now + PIN_LOCK
    row.save(update_fields=["failures", "locked_until"])
    audit_record(
        actor=acting_user,
        action="pin.wrong",
        target=row,
        after={
            "failures": row.failures,
            "locked_until": row.locked_until.isoformat() if row.locked_until else None,
        },
        program=program,
    )
    if row.locked_until is not None and row.locked_until > now:
        until = timezone.localtime(row.locked_until)
        return f"Too many wrong tries: {name} can confirm again after {until:%H:%M}."
    return f"That is not {name}'s PIN or password. Nothing was saved; try again."
