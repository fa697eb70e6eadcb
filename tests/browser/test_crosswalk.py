"""The crosswalk review page in Chromium, on a desktop and on a phone: a manager adds the
link that splits an item, the page shows the split, and it passes axe-core at both widths."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_capture import assert_accessible, shot
from trellis.frameworks import crosswalk as xw
from trellis.frameworks.models import CrosswalkLink
from trellis.frameworks.services import framework_adopt
from trellis.frameworks.tests.web_factories import make_framework, make_next_version
from trellis.testing import PASSWORD, make_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reviews_a_crosswalk_at_both_widths(web_factory: Any) -> None:
    people = make_people()
    v1 = make_framework()
    v2 = make_next_version(institution=people.institution)
    framework_adopt(program=people.program, framework=v1.framework, acting_user=None)
    crosswalk = xw.crosswalk_propose(
        source=v1.framework, target=v2.framework, institution=people.institution, acting_user=None
    )
    path = f"/frameworks/crosswalks/{crosswalk.pk}/"
    desk = web_factory(viewport=DESKTOP)
    desk.sign_in(people.coordinator.email, PASSWORD)
    assert desk.go(path).status == 200
    assert_accessible(desk, "the crosswalk review page at 1280 px")
    shot(desk, "crosswalk-1280")
    desk.page.get_by_label("Item in the earlier version").select_option(
        label="PC2 Physical examination"
    )
    desk.page.get_by_label("Becomes (in part) the item").select_option(
        label="PC2A Physical examination technique"
    )
    desk.page.get_by_role("button", name="Add the link").click()
    desk.page.wait_for_load_state()
    assert "Link added." in desk.page.content()
    assert CrosswalkLink.objects.filter(crosswalk=crosswalk, source_item=v1.pc2).count() == 1
    desk.page.get_by_role("button", name="Mark reviewed").click()
    desk.page.wait_for_load_state()
    assert_accessible(desk, "the reviewed crosswalk at 1280 px")
    shot(desk, "crosswalk-reviewed-1280")
    assert not desk.console_errors, desk.console_errors

    phone = web_factory(viewport=PHONE)
    phone.sign_in(people.coordinator.email, PASSWORD)
    assert phone.go(path).status == 200
    assert_accessible(phone, "the reviewed crosswalk at 390 px")
    shot(phone, "crosswalk-390")
    # Nothing wider than the screen: each change is a block of its own on a phone.
    overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 390 px"
    assert phone.page.get_by_role("button", name="Move the program").is_visible()
    assert not phone.console_errors, phone.console_errors
