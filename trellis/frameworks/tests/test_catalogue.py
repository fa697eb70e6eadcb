"""The shipped catalogue: installed by post_migrate in every database, idempotent, quick."""

from __future__ import annotations

import csv
import importlib
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from pytest_django import DjangoAssertNumQueries

from trellis.frameworks.catalogue import (
    FRAMEWORK_SLUGS,
    catalogue_file,
    catalogue_install,
    scales_install,
)
from trellis.frameworks.models import (
    Association,
    Framework,
    Item,
    ItemKind,
    LevelDescriptor,
    Scale,
    ScaleKind,
)
from trellis.frameworks.pcrs import PCRS_SLUG, pcrs_id

pytestmark = pytest.mark.django_db

ALLOWED_COLUMNS = {
    "kind", "code", "name", "statement", "parent", "related", "identifier",
    "version", "scale", "developmental", "publisher", "language",
    *(f"level_{n}" for n in ("1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5")),
}  # fmt: skip


def items(slug: str, kind: ItemKind) -> list[Item]:
    return list(Item.objects.filter(framework__slug=slug, kind=kind).order_by("position"))


def test_it_installs_the_shipped_scales() -> None:
    scales = {s.slug: s for s in Scale.objects.prefetch_related("levels")}
    assert set(scales) >= {"milestone", "chen", "o-score", "ottawa", "zwisch"}
    milestone = scales["milestone"]
    assert milestone.kind == ScaleKind.MILESTONE
    assert milestone.allows_half_levels
    assert [level.value for level in milestone.levels.all()] == [Decimal(n) for n in range(1, 6)]
    assert "graduation target" in milestone.levels.get(value=4).description
    assert [lv.label for lv in scales["zwisch"].levels.all()] == [
        "Show and tell",
        "Active help",
        "Passive help",
        "Supervision only",
    ]
    for slug in ("chen", "o-score", "ottawa"):
        assert scales[slug].kind == ScaleKind.ENTRUSTMENT
        assert scales[slug].levels.count() == 5
    for scale in scales.values():
        assert all(level.label and level.description for level in scale.levels.all())


def test_it_installs_the_internal_medicine_milestones() -> None:
    framework = Framework.objects.get(slug="im-milestones-2")
    assert framework.institution is None
    assert framework.scale is not None and framework.scale.slug == "milestone"
    assert not framework.developmental
    competencies = items("im-milestones-2", ItemKind.COMPETENCY)
    assert [c.code for c in competencies] == ["PC", "MK", "SBP", "PBLI", "PROF", "ICS"]
    subs = items("im-milestones-2", ItemKind.SUBCOMPETENCY)
    assert len(subs) == 22
    by_code = {s.code: s for s in subs}
    assert by_code["PC6"].name == "Digital Health"
    assert by_code["PC7"].name == "Clinical Consultation"
    assert by_code["MK3"].name == "Knowledge of Diagnostic Testing"
    assert by_code["PROF4"].parent is not None and by_code["PROF4"].parent.code == "PROF"
    for sub in subs:
        assert [d.level for d in sub.descriptors.all()] == [Decimal(n) for n in range(1, 6)]


def test_it_installs_the_harmonized_milestones() -> None:
    competencies = items("acgme-harmonized", ItemKind.COMPETENCY)
    assert [c.code for c in competencies] == ["PROF", "ICS", "PBLI", "SBP"]
    subs = items("acgme-harmonized", ItemKind.SUBCOMPETENCY)
    assert [s.code for s in subs] == [
        "PROF1", "PROF2", "PROF3", "ICS1", "ICS2", "ICS3",
        "PBLI1", "PBLI2", "SBP1", "SBP2", "SBP3",
    ]  # fmt: skip
    assert subs[0].name == "Professional Behavior and Ethical Principles"
    assert LevelDescriptor.objects.filter(item__in=subs).count() == 5 * len(subs)


def test_it_installs_the_core_epas_linked_to_the_im_milestones() -> None:
    framework = Framework.objects.get(slug="aamc-core-epas")
    assert framework.scale is not None and framework.scale.slug == "chen"
    epas = items("aamc-core-epas", ItemKind.EPA)
    assert [e.code for e in epas] == [f"EPA{n}" for n in range(1, 14)]
    assert epas[0].name == "Gather a history and perform a physical examination"
    assert epas[12].name == (
        "Identify system failures and contribute to a culture of safety and improvement"
    )
    for epa in epas:
        related = Association.objects.filter(origin=epa, association_type=Association.IS_RELATED_TO)
        targets = [a.destination for a in related]
        assert targets, f"{epa.code} is linked to nothing"
        assert all(t is not None and t.framework.slug == "im-milestones-2" for t in targets)
        assert all(t is not None and t.kind == ItemKind.SUBCOMPETENCY for t in targets)
        assert epa.descriptors.count() == 5


def test_it_installs_the_clinician_educator_milestones_as_developmental() -> None:
    framework = Framework.objects.get(slug="clinician-educator-milestones")
    assert framework.developmental
    domains = items("clinician-educator-milestones", ItemKind.DOMAIN)
    assert [d.name for d in domains] == [
        "Administration",
        "Educational Theory and Practice",
        "Well-Being",
        "Diversity, Equity, and Inclusion in the Learning Environment",
    ]
    subs = items("clinician-educator-milestones", ItemKind.SUBCOMPETENCY)
    assert len(subs) == 15
    assert {s.parent_id for s in subs} == {d.pk for d in domains}
    assert [s.name for s in subs if s.parent_id == domains[0].pk] == [
        "Administration Skills",
        "Leadership Skills",
        "Learning Environment",
        "Change Management",
    ]


def test_the_clinician_educator_milestones_say_they_are_the_draft_structure() -> None:
    # Issue 14: the 4-domain, 15-subcompetency draft was labelled 1.0; 2022 has 5 and 20.
    framework = Framework.objects.get(slug="clinician-educator-milestones")
    assert framework.version == "draft (4 domains)"
    assert "earlier draft (4 domains, 15 subcompetencies)" in framework.description
    assert "5 domains and 20 subcompetencies" in framework.description


def test_an_installed_copy_labelled_1_0_is_relabelled_and_keeps_its_items() -> None:
    from django.apps import apps

    migration = importlib.import_module("trellis.frameworks.migrations.0003_cem_draft_label")
    framework = Framework.objects.get(slug="clinician-educator-milestones")
    Framework.objects.filter(pk=framework.pk).update(version="1.0", description="old")
    before = list(framework.items.values_list("identifier", flat=True))
    migration.relabel(apps, None)
    framework.refresh_from_db()
    assert framework.version == "draft (4 domains)" and "earlier draft" in framework.description
    assert list(framework.items.values_list("identifier", flat=True)) == before


def test_it_is_idempotent_and_cheap_when_everything_is_there(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    before = (Framework.objects.count(), Item.objects.count(), Scale.objects.count())
    with django_assert_max_num_queries(6):
        assert catalogue_install() == []
    assert scales_install() == []
    assert (Framework.objects.count(), Item.objects.count(), Scale.objects.count()) == before


def test_it_puts_back_only_what_is_missing() -> None:
    Framework.objects.get(slug="clinician-educator-milestones").delete()
    created = catalogue_install()
    assert [f.slug for f in created] == ["clinician-educator-milestones"]
    assert Framework.objects.filter(slug__in=FRAMEWORK_SLUGS).count() == len(FRAMEWORK_SLUGS) == 5


def test_it_comes_back_after_a_flush() -> None:
    call_command("flush", interactive=False, verbosity=0)
    assert set(Framework.objects.values_list("slug", flat=True)) == set(FRAMEWORK_SLUGS)
    assert Scale.objects.filter(slug="zwisch").exists()


@pytest.mark.parametrize("slug", FRAMEWORK_SLUGS)
def test_each_file_is_in_the_csv_layout_and_names_its_own_slug(slug: str) -> None:
    text = catalogue_file(slug).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["kind"] == "framework"
    assert rows[0]["code"] == slug
    assert set(rows[0]) <= ALLOWED_COLUMNS
    # Descriptive text stays short: one sentence, in our own words.
    for row in rows[1:]:
        for column, value in row.items():
            if column.startswith("level_") or column == "statement":
                assert len(value) <= 110, f"{row['code']} {column} is long"


def test_the_pcrs_ships_its_eight_domains_with_the_curriculum_inventory_numbering() -> None:
    pcrs = Framework.objects.get(slug=PCRS_SLUG, institution__isnull=True)
    domains = list(pcrs.items.filter(kind=ItemKind.COMPETENCY).order_by("position"))
    assert [d.code for d in domains] == ["PC", "KP", "PBLI", "ICS", "P", "SBP", "IPC", "PPD"]
    competencies = list(pcrs.items.filter(kind=ItemKind.SUBCOMPETENCY))
    assert len(competencies) == 55
    ids = {pcrs_id(c) for c in competencies}
    assert {"aamc-pcrs-comp-c0101", "aamc-pcrs-comp-c0310", "aamc-pcrs-comp-c0808"} <= ids
    assert len(ids) == 55 and all(c.parent in domains for c in competencies)
    # An item of any other framework has no PCRS identifier, whatever its code.
    other = Item.objects.filter(code="1.1").exclude(framework=pcrs).first()
    assert other is None or pcrs_id(other) is None
