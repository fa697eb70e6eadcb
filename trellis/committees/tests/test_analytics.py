"""The program's rating fact table, `trellis analytics` on it and on files, and the
learner insight (sufficiency, rater context, calibrated risk) the pages show."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from trellis.analytics.synthetic import write_synthetic
from trellis.committees.analytics import (
    MIN_RATERS,
    Sufficiency,
    learner_insight,
    learner_sufficiency,
    program_analytics,
    program_flags,
    sufficiency_by_learner,
)
from trellis.committees.facts import learner_key, program_facts
from trellis.committees.models import CommitteeLevel
from trellis.committees.services import committee_level_record
from trellis.committees.tests.factories import L, decide_all_and_sign, make_committee
from trellis.records.tests.factories import make_record, rate
from trellis.testing import People, make_user


def committee_world(people: People) -> tuple[object, object]:
    rec = make_record(people)
    c = make_committee(people)
    committee_level_record(
        review=c.review, item=c.pc1, level=L("1.5"), acting_user=people.committee
    )
    committee_level_record(review=c.review, item=c.pc2, level=L("2"), acting_user=people.committee)
    committee_level_record(review=c.review2, item=c.pc1, level=L("3"), acting_user=people.committee)
    CommitteeLevel.objects.create(
        review=c.review, item=c.cem_item, level=L("2"), recorded_by=people.committee
    )
    decide_all_and_sign(c)
    return rec, c


def test_it_exports_pseudonymous_rows_for_ratings_and_signed_off_levels(people: People) -> None:
    rec, c = committee_world(people)
    table = program_facts(program=people.program)
    rows = table.to_pylist()
    committee = [r for r in rows if r["form_kind"] == "committee"]
    assert sorted((r["item"], r["level"]) for r in committee) == [
        ("PC1", 1.5), ("PC1", 3.0), ("PC2", 2.0),
    ]  # fmt: skip
    assert all(r["committee_level"] == r["level"] for r in committee)
    # The developmental level written around the service is not there.
    assert c.cem_item.code not in {r["item"] for r in committee} or all(
        r["framework"] != c.cem_item.framework.slug for r in committee
    )
    observations = [r for r in rows if r["form_kind"] != "committee"]
    # Submitted, non-anonymous ratings only (make_record adds a draft and an anonymous one).
    assert len(observations) == 3 + 3 + 2 + 1 + 1
    assert {r["learner"] for r in rows} == {
        learner_key(learner_id=people.learner.pk),
        learner_key(learner_id=people.learner2.pk),
    }
    text = json.dumps(rows, default=str)
    for person in people.everyone().values():
        assert person.email not in text and person.last_name not in text
    # A training-year-1 learner's rating today is in occasion 1 or 2.
    mine = [r for r in observations if r["learner"] == learner_key(learner_id=people.learner.pk)]
    assert {r["training_year"] for r in mine} == {1}
    assert all(r["occasion"] in (1, 2) for r in mine)
    assert sum(r["comment_chars"] > 0 for r in mine) == 3  # the one commented assessment


def test_it_writes_the_export_with_the_command(people: People, tmp_path: Path) -> None:
    committee_world(people)
    out = tmp_path / "facts.parquet"
    stdout = io.StringIO()
    call_command("analytics", "export", "--program", people.program.slug, "-o", str(out),
                 stdout=stdout)  # fmt: skip
    table = pq.read_table(out)
    assert table.num_rows == program_facts(program=people.program).num_rows
    assert f"wrote {table.num_rows} rating(s)" in stdout.getvalue()
    with pytest.raises(CommandError, match="No program 'nope'"):
        call_command("analytics", "export", "--program", "nope", "-o", str(out))
    with pytest.raises(CommandError, match="No institution 'nope'"):
        call_command("analytics", "export", "--institution", "nope", "-o", str(out))
    call_command("analytics", "export", "--institution", "riverside", "-o", str(out))
    assert pq.read_table(out).num_rows == table.num_rows  # the other programs are empty


CSV = "learner,rater,item,occasion,level\n" + "".join(
    f"l{p},r{(p + i) % 3},I{i},1,{1 + p * 0.5 + (p + i) % 2 * 0.5}\n"
    for p in range(6)
    for i in range(4)
)


def test_it_runs_an_analysis_on_a_csv_in_every_format(tmp_path: Path) -> None:
    source = tmp_path / "mine.csv"
    source.write_text(CSV)
    out = io.StringIO()
    call_command("analytics", "gstudy", "--input", str(source), "--format", "json", stdout=out)
    doc = json.loads(out.getvalue())
    (row,) = doc["gstudy"]
    assert row["design"] == "p x i" and row["n_learners"] == 6 and row["n_facet"] == 4
    assert row["var_p"] > 0 and 0 < row["g"] <= 1 and 0 < row["phi"] <= row["g"]
    out = io.StringIO()
    call_command("analytics", "straightlining", "--input", str(source), "--format", "csv",
                 stdout=out)  # fmt: skip
    header = out.getvalue().splitlines()[0].split(",")
    assert header[:4] == ["program", "learner_occasions", "straightlined", "share"]
    out = io.StringIO()
    call_command("analytics", "raters", "--input", str(source), stdout=out)
    assert "raters (3 rows)" in out.getvalue()


def test_it_refuses_a_bad_file_naming_the_column_and_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("learner,rater,item,occasion,level\na,r,PC1,1,2\nb,r,PC1,one,3\n")
    with pytest.raises(CommandError, match=r"row 2 \(line 3\), column occasion: 'one'"):
        call_command("analytics", "gstudy", "--input", str(bad))
    missing = tmp_path / "missing.csv"
    missing.write_text("learner,item,occasion,level\na,PC1,1,2\n")
    with pytest.raises(CommandError, match="missing column.*rater"):
        call_command("analytics", "ppv", "--input", str(missing))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="empty"):
        call_command("analytics", "raters", "--input", str(empty))
    header_only = tmp_path / "header.csv"
    header_only.write_text("learner,rater,item,occasion,level\n")
    with pytest.raises(CommandError, match="no rows"):
        call_command("analytics", "benchmarks", "--input", str(header_only))


def test_sufficiency_asks_for_the_d_study_count_and_several_raters() -> None:
    assert Sufficiency(observations=6, raters=3, needed=5).sufficient
    thin = Sufficiency(observations=4, raters=3, needed=5)
    assert not thin.sufficient
    assert thin.text == "Not yet: 4 of 5 observations, from 3 raters"
    one_voice = Sufficiency(observations=9, raters=1, needed=5)
    assert not one_voice.sufficient and MIN_RATERS > 1
    assert "not estimable" in Sufficiency(observations=2, raters=1, needed=None).text


def _many_raters(people: People, rec: object, *, raters: int, per_rater: int) -> list[object]:
    """Faculty who rate both learners often enough for a G-study and rater severities."""
    from trellis.people.models import Role
    from trellis.testing import add_member

    today = dt.date.today()
    made = []
    for k in range(raters):
        person = make_user(f"rater{k}@riverside.test", f"Rater{k}", "Colleague")
        add_member(person, people.program, Role.FACULTY)
        made.append(person)
        for j in range(per_rater):
            for learner, base in ((people.learner, 1.5), (people.learner2, 3.0)):
                level = Decimal(str(min(5.0, base + (0.5 if (j + k) % 3 == 0 else 0.0))))
                rate(rec, subject=learner, assessor=person,  # type: ignore[arg-type]
                     day=today - dt.timedelta(days=5 + j), levels={rec.pc1: level})  # type: ignore[attr-defined]  # fmt: skip
    return made


def test_the_insight_shows_sufficiency_from_the_program_g_study(people: People) -> None:
    rec = make_record(people)
    _many_raters(people, rec, raters=4, per_rater=3)
    analytics = program_analytics(program=people.program)
    needed = analytics.needed["PC1"]
    assert needed is not None and needed >= 1
    insight = learner_insight(program=people.program, learner_id=people.learner.pk)
    pc1 = insight.get("PC1")
    assert pc1 is not None and pc1.sufficiency is not None
    # make_record's 3 PC1 ratings (faculty x2, nurse... by faculty@) plus 4 raters x 3.
    assert pc1.sufficiency.observations == 3 + 12
    assert pc1.sufficiency.raters == 5
    assert pc1.sufficiency.sufficient is (needed <= 15)
    assert pc1.context is not None and pc1.context.ratings == 15


def test_the_risk_comes_from_the_consortium_history(people: People, tmp_path: Path) -> None:
    history = tmp_path / "consortium.parquet"
    write_synthetic(history, programs=30, learners_per_program=9, cohorts=6, seed=3)
    _rec, c = committee_world(people)
    with override_settings(TRELLIS_ANALYTICS_HISTORY=str(history)):
        insight = learner_insight(program=people.program, learner_id=people.learner.pk)
        analytics = program_analytics(program=people.program)
    assert analytics.history_programs == 31
    pc1 = insight.get("PC1")
    assert pc1 is not None and pc1.risk is not None
    risk = pc1.risk
    # Level 1.5 on PC1 at the first review: the history's own count, recomputed here.
    table = pq.read_table(history).to_pandas()
    final = (
        table.sort_values("occasion")
        .groupby(["learner", "item"])
        .tail(1)
        .set_index(["learner", "item"])
    )
    completed = final[final["occasion"] == final["occasion"].max()]
    first = table[(table["item"] == "PC1") & (table["occasion"] == risk.occasion)]
    first = first[first["learner"].isin(completed.xs("PC1", level="item").index)]
    low = first[first["level"] <= risk.threshold]
    reached = completed.xs("PC1", level="item").loc[low["learner"], "level"]
    assert risk.past == len(low)
    assert risk.not_reached == int((reached < 4).sum())
    assert risk.text.startswith(f"Of {len(low)} past learners at or below {risk.threshold:g}")
    # Without the history the program alone has no past learners: no risk figure.
    plain = learner_insight(program=people.program, learner_id=people.learner.pk)
    assert plain.get("PC1") is None or plain.get("PC1").risk is None  # type: ignore[union-attr]


def test_the_figures_follow_a_sign_off_and_a_new_rating(people: People) -> None:
    rec = make_record(people)
    c = make_committee(people)
    committee_level_record(review=c.review, item=c.pc1, level=L("2"), acting_user=people.committee)
    before = program_analytics(program=people.program)
    assert before.committee.empty  # the cycle is not signed off: its levels do not count
    decide_all_and_sign(c)
    signed = program_analytics(program=people.program)
    assert signed.committee["level"].tolist() == [2.0]
    observations = len(signed.observations)
    day = dt.date.today()
    rate(rec, subject=people.learner, assessor=people.faculty, day=day, levels={rec.pc1: L("2.5")})
    assert len(program_analytics(program=people.program).observations) == observations + 1


def test_analyses_kept_under_another_key_are_not_read_back(people: People) -> None:
    """The analyses name learners by pseudonyms of the install's key: kept ones made under
    another key (SECRET_KEY changed, or a benchmark's own key) would find nobody."""
    rec = make_record(people)
    _many_raters(people, rec, raters=4, per_rater=3)
    with override_settings(TRELLIS_ANALYTICS_KEY="the key before"):
        before = learner_insight(program=people.program, learner_id=people.learner.pk)
    with override_settings(TRELLIS_ANALYTICS_KEY="the key after"):
        after = learner_insight(program=people.program, learner_id=people.learner.pk)
    for insight in (before, after):
        pc1 = insight.get("PC1")
        assert pc1 is not None and pc1.sufficiency is not None
        assert pc1.sufficiency.observations == 3 + 12


def test_every_learners_sufficiency_at_once_is_each_learners_own(people: People) -> None:
    rec = make_record(people)
    _many_raters(people, rec, raters=4, per_rater=3)
    analytics = program_analytics(program=people.program)
    ids = [people.learner.pk, people.learner2.pk, people.faculty.pk]  # the last rated nothing
    everyone = sufficiency_by_learner(analytics, ids)
    for pk in ids:
        assert everyone[pk] == learner_sufficiency(analytics, learner_id=pk)
    flags = program_flags(program=people.program, learner_ids=ids)
    for pk in ids:
        own = learner_sufficiency(analytics, learner_id=pk)
        assert flags[pk].insufficient == sum(1 for s in own.values() if not s.sufficient)
        assert flags[pk].items == len(own)
