"""The e-mail filter adds line-break opportunities and nothing else: the text reads and
copies as the address, and anything in it is escaped."""

from __future__ import annotations

from django.utils.html import strip_tags

from trellis.people.templatetags.people_tags import email_breaks


def test_it_offers_a_break_after_the_at_sign_and_before_each_dot() -> None:
    shown = email_breaks("ana.lopez@riverside-health.test")
    assert shown == "ana<wbr>.lopez@<wbr>riverside-health<wbr>.test"
    assert strip_tags(shown) == "ana.lopez@riverside-health.test"


def test_it_escapes_the_address() -> None:
    assert email_breaks('x"<b>@y.org') == "x&quot;&lt;b&gt;@<wbr>y<wbr>.org"
