"""Crosswalks between two versions of a framework: the proposal, the changes read from the
links, the audited edits and applying one to a program (its history kept, never rewritten)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trellis.audit.models import AuditEvent
from trellis.frameworks import crosswalk as xw
from trellis.frameworks.models import Adoption, Crosswalk, CrosswalkLink, ExpectedLevel
from trellis.frameworks.services import framework_adopt
from trellis.frameworks.tests.web_factories import (
    NextVersion,
    SmallFramework,
    make_next_version,
)
from trellis.testing import People


def propose(people: People, v1: SmallFramework, v2: NextVersion) -> Crosswalk:
    return xw.crosswalk_propose(
        source=v1.framework,
        target=v2.framework,
        institution=people.institution,
        acting_user=people.coordinator,
    )


def pairs(crosswalk: Crosswalk) -> set[tuple[str, str]]:
    return {
        (link.source_item.code, link.target_item.code)
        for link in crosswalk.links.select_related("source_item", "target_item")
    }


def test_it_proposes_links_by_code_then_by_name(
    people: People, v1: SmallFramework, v2: NextVersion
) -> None:
    crosswalk = propose(people, v1, v2)
    # Same codes: the domains and PC1 (renamed). Same name, new code: PROF1 -> PROF3.
    # PC2's names in 2025 are too far from its own to guess; the EPA has no match.
    assert pairs(crosswalk) == {("PC", "PC"), ("PC1", "PC1"), ("PROF", "PROF"), ("PROF1", "PROF3")}
    event = AuditEvent.objects.get(action="crosswalk.propose")
    assert event.actor == people.coordinator
    assert event.after["links"] == 4


def test_proposing_again_returns_the_same_crosswalk_without_new_links(
    people: People, v1: SmallFramework, v2: NextVersion
) -> None:
    first = propose(people, v1, v2)
    xw.crosswalk_link_remove(link=first.links.get(source_item=v1.pc1), acting_user=None)
    again = propose(people, v1, v2)
    assert again.pk == first.pk
    assert Crosswalk.objects.count() == 1
    assert ("PC1", "PC1") not in pairs(again)  # the person's edit stands


def test_it_keeps_another_institutions_framework_out_of_a_crosswalk(
    people: People, v1: SmallFramework
) -> None:
    theirs = make_next_version(slug="hillcrest-im", institution=people.other_institution)
    with pytest.raises(xw.CrosswalkError, match="belongs to another institution"):
        xw.crosswalk_propose(
            source=v1.framework,
            target=theirs.framework,
            institution=people.institution,
            acting_user=None,
        )
    assert not Crosswalk.objects.exists()


def test_it_reads_each_change_from_the_links(
    people: People, v1: SmallFramework, v2: NextVersion
) -> None:
    crosswalk = propose(people, v1, v2)
    for target in (v2.pc2a, v2.pc2b):
        xw.crosswalk_link_add(
            crosswalk=crosswalk, source_item=v1.pc2, target_item=target, acting_user=None
        )
    changes = {
        (tuple(i.code for i in c.sources), tuple(i.code for i in c.targets)): c.kind
        for c in xw.item_changes(crosswalk=crosswalk)
    }
    assert changes == {
        (("PC",), ("PC",)): "same",
        (("PC1",), ("PC1",)): "renamed",
        (("PC2",), ("PC2A", "PC2B")): "split",
        (("PROF",), ("PROF",)): "same",
        (("PROF1",), ("PROF3",)): "renamed",
        (("EPA1",), ()): "retired",
        ((), ("PROF4",)): "new",
    }


def test_two_items_linked_to_one_are_merged(
    people: People, v1: SmallFramework, v2: NextVersion
) -> None:
    crosswalk = propose(people, v1, v2)
    xw.crosswalk_link_add(
        crosswalk=crosswalk, source_item=v1.pc2, target_item=v2.pc1, acting_user=None
    )
    merged = next(c for c in xw.item_changes(crosswalk=crosswalk) if v2.pc1 in c.targets)
    assert merged.kind == "merged"
    assert merged.label == "Merged"
    assert {i.code for i in merged.sources} == {"PC1", "PC2"}


def test_adding_a_link_twice_makes_one_and_an_edit_asks_for_a_new_review(
    people: People, v1: SmallFramework, v2: NextVersion
) -> None:
    crosswalk = propose(people, v1, v2)
    xw.crosswalk_mark_reviewed(crosswalk=crosswalk, acting_user=people.coordinator)
    for _ in range(2):
        xw.crosswalk_link_add(
            crosswalk=crosswalk,
            source_item=v1.pc2,
            target_item=v2.pc2a,
            acting_user=people.director,
        )
    assert crosswalk.links.filter(source_item=v1.pc2).count() == 1
    assert AuditEvent.objects.filter(action="crosswalk.link_add").count() == 1
    crosswalk.refresh_from_db()
    assert not crosswalk.is_reviewed


def test_it_refuses_a_link_from_an_item_of_another_framework(
    people: People, v1: SmallFramework, v2: NextVersion
) -> None:
    crosswalk = propose(people, v1, v2)
    with pytest.raises(xw.CrosswalkError, match="is not an item of"):
        xw.crosswalk_link_add(
            crosswalk=crosswalk, source_item=v2.pc1, target_item=v2.pc2a, acting_user=None
        )


def reviewed(people: People, v1: SmallFramework, v2: NextVersion) -> Crosswalk:
    crosswalk = propose(people, v1, v2)
    for target in (v2.pc2a, v2.pc2b):
        xw.crosswalk_link_add(
            crosswalk=crosswalk, source_item=v1.pc2, target_item=target, acting_user=None
        )
    return xw.crosswalk_mark_reviewed(crosswalk=crosswalk, acting_user=people.coordinator)


def test_applying_moves_the_program_and_keeps_the_old_adoption(
    people: People, v1: SmallFramework, v2: NextVersion
) -> None:
    old = framework_adopt(
        program=people.program,
        framework=v1.framework,
        acting_user=None,
        graduation_level=Decimal("4.5"),
    )
    ExpectedLevel.objects.create(adoption=old, training_year=1, level=Decimal("2"))
    crosswalk = reviewed(people, v1, v2)
    new = xw.crosswalk_apply(
        program=people.program, crosswalk=crosswalk, acting_user=people.director
    )
    old.refresh_from_db()
    assert old.replaced_at is not None and old.replaced_by == new and old.crosswalk == crosswalk
    assert new.framework == v2.framework and new.graduation_level == Decimal("4.5")
    assert new.expected_levels.get(training_year=1).level == Decimal("2")
    assert list(Adoption.objects.current().filter(program=people.program)) == [new]
    assert Adoption.objects.filter(program=people.program).count() == 2
    assert AuditEvent.objects.filter(action="crosswalk.apply", actor=people.director).exists()
    # Applying again changes nothing; the crosswalk is frozen now.
    assert xw.crosswalk_apply(program=people.program, crosswalk=crosswalk, acting_user=None) == new
    with pytest.raises(xw.CrosswalkError, match="applied"):
        xw.crosswalk_link_add(
            crosswalk=crosswalk, source_item=v1.epa, target_item=v2.prof4, acting_user=None
        )


def test_it_applies_only_a_reviewed_crosswalk_to_a_program_using_the_source(
    people: People, v1: SmallFramework, v2: NextVersion
) -> None:
    crosswalk = propose(people, v1, v2)
    with pytest.raises(xw.CrosswalkError, match="does not use"):
        xw.crosswalk_apply(program=people.program, crosswalk=crosswalk, acting_user=None)
    framework_adopt(program=people.program, framework=v1.framework, acting_user=None)
    with pytest.raises(xw.CrosswalkError, match="Review"):
        xw.crosswalk_apply(program=people.program, crosswalk=crosswalk, acting_user=None)
    xw.crosswalk_mark_reviewed(crosswalk=crosswalk, acting_user=people.coordinator)
    with pytest.raises(xw.CrosswalkError, match="another institution"):
        xw.crosswalk_apply(program=people.other_program, crosswalk=crosswalk, acting_user=None)


def test_items_through_follows_every_move_to_the_current_items(
    people: People, v1: SmallFramework, v2: NextVersion
) -> None:
    framework_adopt(program=people.program, framework=v1.framework, acting_user=None)
    assert xw.items_through(program=people.program) == {}
    xw.crosswalk_apply(program=people.program, crosswalk=reviewed(people, v1, v2), acting_user=None)
    through = xw.items_through(program=people.program)
    assert through[v1.pc2.pk].to == (v2.pc2a.pk, v2.pc2b.pk)
    assert through[v1.pc2.pk].label == "PC2, Test Internal Medicine Milestones 2.0"
    assert v1.epa.pk not in through  # retired: its ratings stay on it, shown nowhere new
    # A third version: v1's PC2 is read under what v2's PC2A became.
    v3 = make_next_version(slug="test-im-2030", institution=people.institution)
    second = xw.crosswalk_propose(
        source=v2.framework, target=v3.framework, institution=people.institution, acting_user=None
    )
    xw.crosswalk_mark_reviewed(crosswalk=second, acting_user=people.coordinator)
    xw.crosswalk_apply(program=people.program, crosswalk=second, acting_user=None)
    assert xw.items_through(program=people.program)[v1.pc1.pk].to == (v3.pc1.pk,)
    assert xw.framework_now(program=people.program, framework=v1.framework) == v3.framework
    assert CrosswalkLink.objects.filter(crosswalk=second, source_item=v2.pc2a).count() == 1
