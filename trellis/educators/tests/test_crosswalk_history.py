"""An educator's Clinician Educator Milestones history carries across a crosswalk: the
faculty-development office imports the published version (as docs/formats.md says: the
catalogue's export as a template, edited, imported) and moves its program to it; the
educator's earlier self-assessments show against the new subcompetencies, unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from trellis.assessments.models import Rating
from trellis.educators.selectors import CEM_SLUG, cem_framework, cem_subcompetencies, progress
from trellis.educators.services import self_assessment_submit
from trellis.frameworks import crosswalk as xw
from trellis.frameworks.models import Framework, Item
from trellis.frameworks.services import framework_adopt, framework_export, framework_import
from trellis.testing import People


def published_version(people: People) -> Framework:
    """The catalogue's CEM exported, given a new code and version, ADM1 split in two."""
    draft = Framework.objects.get(slug=CEM_SLUG)
    rows = list(
        csv.DictReader(io.StringIO(framework_export(framework=draft, format="csv").decode()))
    )
    out = []
    for row in rows:
        row["identifier"] = ""
        if row["kind"] == "framework":
            row.update(code="cem-2022", version="2022")
        if row["code"] == "ADM1":
            out.append({**row, "code": "ADM1A", "name": "Administration: planning"})
            row.update(code="ADM1B", name="Administration: resources")
        out.append(row)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(out)
    return framework_import(
        content=buffer.getvalue().encode(),
        filename="cem-2022.csv",
        institution=people.institution,
        acting_user=people.fd_lead,
    )


def test_an_educators_self_assessments_show_across_the_crosswalk(
    people: People, client: Client
) -> None:
    draft = Framework.objects.get(slug=CEM_SLUG)
    framework_adopt(program=people.fd_program, framework=draft, acting_user=None)
    adm1, adm2 = (
        Item.objects.get(framework=draft, code="ADM1"),
        Item.objects.get(framework=draft, code="ADM2"),
    )
    earlier = self_assessment_submit(
        educator=people.educator,
        program=people.fd_program,
        levels={adm1: Decimal("2.5"), adm2: Decimal("3")},
        observed_on=dt.date(2026, 1, 10),
        acting_user=people.educator,
    )
    published = published_version(people)
    assert published.developmental and published.version == "2022"
    crosswalk = xw.crosswalk_propose(
        source=draft, target=published, institution=people.institution, acting_user=people.fd_lead
    )
    new = {i.code: i for i in published.items.all()}
    for code in ("ADM1A", "ADM1B"):
        xw.crosswalk_link_add(
            crosswalk=crosswalk, source_item=adm1, target_item=new[code], acting_user=None
        )
    xw.crosswalk_mark_reviewed(crosswalk=crosswalk, acting_user=people.fd_lead)
    xw.crosswalk_apply(program=people.fd_program, crosswalk=crosswalk, acting_user=people.fd_lead)

    assert cem_framework(program=people.fd_program) == published
    assert {i.code for i in cem_subcompetencies(program=people.fd_program)} >= {"ADM1A", "ADM2"}
    rows = {
        item.code: (levels, carried)
        for item, levels, carried in progress(
            person=people.educator, scopes={"self_assessments"}, plans=[]
        ).trajectory.rows  # type: ignore[union-attr]
    }
    label = f"ADM1, {draft}"
    assert rows["ADM1A"] == ([Decimal("2.5")], [label])
    assert rows["ADM1B"] == ([Decimal("2.5")], [label])
    assert rows["ADM2"][0] == [Decimal("3")]  # matched by code

    client.force_login(people.educator)
    home = client.get(reverse("educators:home")).content.decode()
    assert "ADM1A" in home and f"earlier as {label}" in home
    # The next self-assessment is on the published version, beside the earlier one.
    response = client.post(reverse("educators:self-assess"), {f"level-{new['ADM1A'].pk}": "3.5"})
    assert response.status_code == 302
    rows = {
        item.code: levels
        for item, levels, _ in progress(
            person=people.educator, scopes={"self_assessments"}, plans=[]
        ).trajectory.rows  # type: ignore[union-attr]
    }
    assert rows["ADM1A"] == [Decimal("2.5"), Decimal("3.5")]
    # The earlier ratings still point at the draft's items.
    assert set(Rating.objects.filter(assessment=earlier).values_list("item_id", flat=True)) == {
        adm1.pk,
        adm2.pk,
    }
