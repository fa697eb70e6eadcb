"""What the analytics say about a program's evidence, for the people who decide.

For each learner and item, three figures the committee needs beside the evidence:
- **sufficiency**: "evidence sufficient" or "not yet: n of N observations, from k
  raters", where N is the D-study's number of observations for G >= 0.7 on that item
  in this program (`gstudy` design o:p) and at least MIN_RATERS raters are asked;
- **rater context**: the learner's mean level beside the same mean adjusted for the
  severity of the raters who gave it (`rater_severity`), without naming any rater;
- **calibrated risk**: "of N past learners at or below this level at this point, x% did
  not reach Level 4" (`ppv`, the ACGME method) from the program's own history and,
  where the operator configured one, the consortium's pooled fact file.

Everything is computed by `trellis.analytics` over the program's fact table
(`committees.facts`), once per change of the data (cached), never written back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.cache import cache
from django.db.models import Subquery

from trellis.analytics.engine import open_engine
from trellis.analytics.facts import COMMITTEE, SCHEMA, FactError
from trellis.assessments.models import Assessment, Rating
from trellis.committees.facts import learner_key, program_facts, program_key, rater_key
from trellis.committees.models import CommitteeLevel, ReviewCycle
from trellis.people.models import Program

if TYPE_CHECKING:
    from trellis.analytics.ppv import RiskIndex

MIN_RATERS = 3
# A flag that discriminates: most past learners like this one did not reach Level 4.
RISK_PPV = 0.5
RISK_MIN_PAST = 5  # the smallest group of past learners a risk figure rests on
# A learner is flagged when at risk on at least this many subcompetencies (or projected
# below Level 4): among twenty-odd items one low one at a review comes up by chance for
# many a typical learner, so a single item is shown on the record, not raised as a flag.
RISK_MIN_ITEMS = 3
CACHE_SECONDS = 600


@dataclass(frozen=True)
class Sufficiency:
    observations: int
    raters: int
    needed: int | None  # D-study observations for G >= 0.7; None: too little data

    @property
    def sufficient(self) -> bool:
        return (
            self.needed is not None
            and self.observations >= self.needed
            and self.raters >= min(MIN_RATERS, self.needed)
        )

    @property
    def text(self) -> str:
        raters = f"{self.raters} rater{'s' if self.raters != 1 else ''}"
        if self.needed is None:
            return f"Reliability not estimable yet: {self.observations} observations, {raters}"
        if self.sufficient:
            return f"Evidence sufficient: {self.observations} observations from {raters}"
        return f"Not yet: {self.observations} of {self.needed} observations, from {raters}"


@dataclass(frozen=True)
class Risk:
    level: float
    threshold: float
    occasion: int
    past: int  # past learners at or below this level at this occasion
    not_reached: int

    @property
    def share(self) -> float:
        return self.not_reached / self.past if self.past else 0.0

    @property
    def flagged(self) -> bool:
        return self.past >= RISK_MIN_PAST and self.share >= RISK_PPV

    @property
    def text(self) -> str:
        return (
            f"Of {self.past} past learners at or below {self.threshold:g} at this point, "
            f"{round(100 * self.share)}% did not reach Level 4"
        )


@dataclass(frozen=True)
class RaterContext:
    mean: float
    adjusted: float
    ratings: int


@dataclass
class ProgramAnalytics:
    program_key: str
    needed: dict[str, int | None]
    gstudy: pd.DataFrame
    raters: pd.DataFrame
    straightlining: pd.DataFrame
    ppv: pd.DataFrame
    growth_programs: pd.DataFrame
    growth_learners: pd.DataFrame
    benchmarks: pd.DataFrame
    observations: pd.DataFrame  # learner, item, rater, date, level (rated observation rows)
    committee: pd.DataFrame  # learner, item, occasion, level (latest per learner x item)
    history_rows: int
    history_programs: int
    notes: list[str] = field(default_factory=list)


def history_path() -> Path | None:
    """The consortium's pooled fact file, when the operator configured one."""
    configured = getattr(settings, "TRELLIS_ANALYTICS_HISTORY", "")
    path = Path(configured) if configured else None
    return path if path is not None and path.is_file() else None


def _latest(queryset: Any, field: str) -> Subquery:
    """A subquery of the largest `field` in `queryset` (None when empty). Nulls are left
    out rather than sorted last, so an index on the field answers it."""
    return Subquery(
        queryset.filter(**{f"{field}__isnull": False}).order_by(f"-{field}").values(field)[:1]
    )


def _version(program: Program) -> str:
    """What the program's figures were computed from, in one query: a new or newly
    submitted assessment, a new committee level or a sign-off gives a new version; so does
    another pseudonymising key (its rows name learners and raters by it)."""
    stamps = Program.objects.filter(pk=program.pk).values_list(
        _latest(Rating.objects.filter(assessment__program=program), "pk"),
        _latest(Assessment.objects.filter(program=program), "submitted_at"),
        _latest(CommitteeLevel.objects.filter(review__cycle__program=program), "pk"),
        _latest(ReviewCycle.objects.filter(program=program), "signed_off_at"),
    )[0]
    history = history_path()
    stamp = f"{history}:{history.stat().st_mtime_ns}" if history else "-"
    raw = f"{program.pk}:{stamps}:{stamp}:{program_key(program=program)}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def _history(program_table: pa.Table) -> pa.Table:
    path = history_path()
    if path is None:
        return program_table
    pooled = pq.read_table(path).select(SCHEMA.names).cast(SCHEMA)
    return pa.concat_tables([program_table, pooled])


def _needed(gstudy: pd.DataFrame) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for row in gstudy.itertuples(index=False):
        value = getattr(row, "needed_g70", None)
        out[str(row.item)] = (
            int(value) if value is not None and not pd.isna(value) and value > 0 else None
        )
    return out


def _safe(call: Any, notes: list[str], what: str, default: Any) -> Any:
    """The analysis' result, or `default` with a note saying why it is missing (data
    too thin for a model is a fact to show, not a page error)."""
    try:
        return call()
    except (FactError, ValueError, ArithmeticError, TypeError, np.linalg.LinAlgError) as exc:
        notes.append(f"{what}: not computed ({exc})")
        return default


def _compute(program: Program) -> ProgramAnalytics:
    from trellis.analytics.benchmarks import benchmarks
    from trellis.analytics.growth import growth
    from trellis.analytics.gstudy import gstudy
    from trellis.analytics.ppv import ppv_table
    from trellis.analytics.raters import rater_severity
    from trellis.analytics.straightlining import straightlining

    notes: list[str] = []
    table = program_facts(program=program)
    empty = pd.DataFrame()
    if table.num_rows == 0:
        return ProgramAnalytics(
            program_key(program=program), {}, empty, empty, empty, empty, empty, empty,
            empty, empty, empty, 0, 0, ["No ratings yet."],
        )  # fmt: skip
    with open_engine(table) as engine:
        g = _safe(lambda: gstudy(engine, design="o:p"), notes, "G-study", empty)
        raters = _safe(lambda: rater_severity(engine), notes, "Rater severity", empty)
        lines = _safe(lambda: straightlining(engine), notes, "Straight-lining", empty)
        grown = _safe(lambda: growth(engine), notes, "Growth", (empty, empty))
        observations = engine.query(
            "SELECT learner, item, rater, date, level FROM facts WHERE form_kind <> "
            f"'{COMMITTEE}' AND NOT not_observed AND level IS NOT NULL "
            "ORDER BY learner, item, date"
        )
        committee = engine.query(
            "SELECT learner, item, occasion, level FROM ("
            "SELECT learner, item, occasion, level, ROW_NUMBER() OVER (PARTITION BY learner, "
            "item ORDER BY date DESC) AS rn FROM facts "
            f"WHERE form_kind = '{COMMITTEE}' AND level IS NOT NULL) t WHERE rn = 1 "
            "ORDER BY learner, item"
        )
    history = _history(table)
    with open_engine(history) as engine:
        ppv = _safe(lambda: ppv_table(engine), notes, "Risk (PPV)", empty)
        bands = _safe(lambda: benchmarks(engine), notes, "Benchmarks", empty)
        (programs,) = engine.query("SELECT COUNT(DISTINCT program) AS n FROM facts")["n"]
    return ProgramAnalytics(
        program_key=program_key(program=program),
        needed=_needed(g) if len(g) else {},
        gstudy=g,
        raters=raters,
        straightlining=lines,
        ppv=ppv,
        growth_programs=grown[0],
        growth_learners=grown[1],
        benchmarks=bands,
        observations=observations,
        committee=committee,
        history_rows=history.num_rows,
        history_programs=int(programs),
        notes=notes,
    )


def analytics_forget() -> None:
    """Forget the analyses this process keeps (tests: a rolled-back database reuses ids,
    and the same version key would find another test's figures)."""
    _IN_PROCESS.clear()


def program_analytics(*, program: Program) -> ProgramAnalytics:
    """The program's analyses, computed once per change of its ratings, committee levels
    or the consortium file."""
    key = f"trellis-analytics:{_version(program)}"
    found = _IN_PROCESS.get(key)
    if found is None:
        found = cache.get(key)
        if found is None:
            found = _compute(program)
            cache.set(key, found, CACHE_SECONDS)
        _IN_PROCESS[key] = found
        while len(_IN_PROCESS) > IN_PROCESS_KEPT:
            _IN_PROCESS.pop(next(iter(_IN_PROCESS)))
    return found


# The last few programs' analyses also stay in this process, as objects: reading them back
# from the cache unpickles several data frames (80 ms for a program of 300,000 ratings).
# Keyed by version like the cache, so a change of evidence is never served stale.
IN_PROCESS_KEPT = 8
_IN_PROCESS: dict[str, ProgramAnalytics] = {}


def _learner_rows(rows: pd.DataFrame, *, learner_id: int, start: Any, end: Any) -> pd.DataFrame:
    """One learner's observations, between `start` and `end` when given. Compared as a
    NumPy array: a pandas comparison of 300,000 pseudonyms took 23 ms, this 7."""
    mine = rows[rows["learner"].to_numpy() == learner_key(learner_id=learner_id)]
    if start is not None:
        mine = mine[mine["date"] >= pd.Timestamp(start)]
    if end is not None:
        mine = mine[mine["date"] <= pd.Timestamp(end)]
    return mine


def learner_sufficiency(
    analytics: ProgramAnalytics,
    *,
    learner_id: int,
    start: Any = None,
    end: Any = None,
) -> dict[str, Sufficiency]:
    """Per item code: the learner's observations (in the window) against the D-study."""
    rows = analytics.observations
    if rows.empty:
        return {}
    mine = _learner_rows(rows, learner_id=learner_id, start=start, end=end)
    counts = mine.groupby("item")["rater"].agg(["size", "nunique"])
    return _sufficiencies(
        analytics, zip(counts.index, counts["size"], counts["nunique"], strict=True)
    )


def _sufficiencies(
    analytics: ProgramAnalytics, counts: Iterable[tuple[Any, Any, Any]]
) -> dict[str, Sufficiency]:
    """One learner's sufficiency per item code from (item, observations, distinct raters),
    with every item the D-study asks about, observed or not."""
    needed = analytics.needed
    out = {
        str(item): Sufficiency(observations=int(n), raters=int(r), needed=needed.get(str(item)))
        for item, n, r in counts
    }
    for item, count in needed.items():
        out.setdefault(item, Sufficiency(observations=0, raters=0, needed=count))
    return out


def sufficiency_by_learner(
    analytics: ProgramAnalytics, learner_ids: Iterable[int]
) -> dict[int, dict[str, Sufficiency]]:
    """`learner_sufficiency` (over all dates) of each learner at once: one grouping of the
    observations instead of a scan of them per learner."""
    rows = analytics.observations
    if rows.empty:
        return {pk: {} for pk in learner_ids}
    counts = rows.groupby(["learner", "item"], observed=True)["rater"].agg(["size", "nunique"])
    by_learner: dict[str, list[tuple[Any, Any, Any]]] = {}
    for (learner, item), n, r in zip(counts.index, counts["size"], counts["nunique"], strict=True):
        by_learner.setdefault(str(learner), []).append((item, n, r))
    return {
        pk: _sufficiencies(analytics, by_learner.get(learner_key(learner_id=pk), []))
        for pk in learner_ids
    }


def rater_context(
    analytics: ProgramAnalytics, *, learner_id: int, start: Any = None, end: Any = None
) -> dict[str, RaterContext]:
    """Per item code: the learner's mean observed level and the mean with each rating
    adjusted by its rater's severity (a harsh rater's 2 counts for more than 2)."""
    rows, raters = analytics.observations, analytics.raters
    if rows.empty or raters.empty:
        return {}
    mine = _learner_rows(rows, learner_id=learner_id, start=start, end=end)
    severity = dict(zip(raters["rater"], raters["severity"], strict=True))
    out = {}
    for item, group in mine.groupby("item"):
        adjusted = [
            lv + float(severity.get(r, 0.0) or 0.0)
            for lv, r in zip(group["level"], group["rater"], strict=True)
        ]
        out[str(item)] = RaterContext(
            mean=float(group["level"].mean()),
            adjusted=sum(adjusted) / len(adjusted),
            ratings=len(group),
        )
    return out


def learner_risk(
    analytics: ProgramAnalytics,
    *,
    learner_id: int,
    index: RiskIndex | None = None,
) -> dict[str, Risk]:
    """Per item code: the calibrated risk at the learner's latest committee level (with
    `index`, from `risk_index(analytics.ppv)`, when looking up many learners)."""
    from trellis.analytics.ppv import risk_lookup

    rows, table = analytics.committee, analytics.ppv
    if rows.empty or table.empty:
        return {}
    mine = rows[rows["learner"] == learner_key(learner_id=learner_id)]
    out = {}
    for row in mine.to_dict(orient="records"):
        item, occasion, level = str(row["item"]), int(row["occasion"]), float(row["level"])
        found = risk_lookup(
            table, item=item, occasion=occasion, level=level, min_past=RISK_MIN_PAST, index=index
        )
        if not found:
            continue
        out[item] = Risk(
            level=level,
            threshold=float(found["threshold"]),
            occasion=occasion,
            past=int(found["past_learners"]),
            not_reached=int(found["not_reached"]),
        )
    return out


def learner_growth(analytics: ProgramAnalytics, *, learner_id: int) -> dict[str, Any] | None:
    rows = analytics.growth_learners
    if rows is None or rows.empty:
        return None
    mine = rows[rows["learner"] == learner_key(learner_id=learner_id)]
    return {str(k): v for k, v in mine.iloc[0].to_dict().items()} if len(mine) else None


def my_rater_key(*, user_id: int) -> str:
    return rater_key(user_id=user_id)


@dataclass(frozen=True)
class ItemInsight:
    code: str
    sufficiency: Sufficiency | None
    context: RaterContext | None
    risk: Risk | None


@dataclass(frozen=True)
class LearnerInsight:
    items: dict[str, ItemInsight]
    growth: dict[str, Any] | None
    notes: list[str]
    history_programs: int

    def get(self, code: str) -> ItemInsight | None:
        return self.items.get(code)

    @property
    def insufficient(self) -> int:
        return sum(1 for i in self.items.values() if i.sufficiency and not i.sufficiency.sufficient)

    @property
    def at_risk(self) -> list[ItemInsight]:
        return [i for i in self.items.values() if i.risk and i.risk.flagged]


def learner_insight(
    *, program: Program, learner_id: int, start: Any = None, end: Any = None
) -> LearnerInsight:
    """Sufficiency, rater context, calibrated risk and growth for one learner: the one
    read the learner record and the committee's meeting screen share."""
    analytics = program_analytics(program=program)
    sufficiency = learner_sufficiency(analytics, learner_id=learner_id, start=start, end=end)
    context = rater_context(analytics, learner_id=learner_id, start=start, end=end)
    risk = learner_risk(analytics, learner_id=learner_id)
    codes = sorted(set(sufficiency) | set(context) | set(risk))
    return LearnerInsight(
        items={
            c: ItemInsight(
                code=c, sufficiency=sufficiency.get(c), context=context.get(c), risk=risk.get(c)
            )
            for c in codes
        },
        growth=learner_growth(analytics, learner_id=learner_id),
        notes=analytics.notes,
        history_programs=analytics.history_programs,
    )


@dataclass(frozen=True)
class LearnerFlags:
    learner_id: int
    at_risk: list[tuple[str, Risk]]
    falling_behind: bool
    predicted_final: float | None  # the growth model's level at the end of training
    insufficient: int
    items: int

    @property
    def at_risk_flagged(self) -> bool:
        return len(self.at_risk) >= RISK_MIN_ITEMS

    @property
    def flagged(self) -> bool:
        return self.at_risk_flagged or self.falling_behind

    @property
    def texts(self) -> list[str]:
        """The flags in words, for the program view, its spreadsheet and its PDF."""
        out = []
        if self.at_risk_flagged:
            codes = ", ".join(code for code, _ in self.at_risk)
            out.append(f"At risk on {len(self.at_risk)}: {codes}")
        if self.falling_behind and self.predicted_final is not None:
            out.append(f"Projected {self.predicted_final:.1f} at end of training")
        return out


def program_flags(
    *, program: Program, learner_ids: list[int], sufficiency: bool = True
) -> dict[int, LearnerFlags]:
    """The discriminating flags of each learner: calibrated risk (at least RISK_PPV of
    at least RISK_MIN_PAST past learners like them did not reach Level 4), falling
    behind (the growth model), and how many items lack sufficient evidence (unless
    `sufficiency` is False: the flags alone, for the home page, cost a third as much)."""
    from trellis.analytics.ppv import risk_index

    analytics = program_analytics(program=program)
    index = risk_index(analytics.ppv) if not analytics.ppv.empty else None
    everyone = sufficiency_by_learner(analytics, learner_ids) if sufficiency else {}
    out = {}
    for pk in learner_ids:
        risk = learner_risk(analytics, learner_id=pk, index=index)
        growth = learner_growth(analytics, learner_id=pk) or {}
        enough = everyone.get(pk, {})
        out[pk] = LearnerFlags(
            learner_id=pk,
            at_risk=sorted(((c, r) for c, r in risk.items() if r.flagged), key=lambda cr: cr[0]),
            falling_behind=bool(growth.get("falling_behind")),
            predicted_final=_number(growth.get("predicted_final")),
            insufficient=sum(1 for s in enough.values() if not s.sufficient),
            items=len(enough),
        )
    return out


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def keyed_raters(*, user_ids: list[int]) -> dict[str, int]:
    return {rater_key(user_id=pk): pk for pk in user_ids}
