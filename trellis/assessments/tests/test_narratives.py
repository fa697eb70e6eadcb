"""The comment tools: the suggestion rule, tagging leave-one-learner-out, the command, on
made-up comments and on the real emergency-medicine export and QuAL sample."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from trellis.analytics.narratives import (
    MAX_COMMENTS,
    CommentsError,
    evaluate,
    has_suggestion,
    read_comments,
)

EM_EXPORT = "cbme/cbd-dashboard/em-epa-assessments-subset.json"
QUAL = "cbme/qualscore-api"


def test_the_suggestion_rule_finds_what_to_do_next() -> None:
    assert has_suggestion("Next time, commit to a leading diagnosis before presenting.")
    assert has_suggestion("Consider a VBG instead of an ABG.")
    assert has_suggestion("Work on closing the loop with the nurse.")
    assert not has_suggestion("Great job!")
    assert not has_suggestion("Managed the airway well and was kind to the family.")
    assert not has_suggestion("")


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_tagging_is_scored_on_learners_the_model_never_saw(tmp_path: Path) -> None:
    words = {"AIRWAY": "intubation airway bag mask", "SEPSIS": "fluids lactate antibiotics"}
    rows = [
        {
            "learner": f"r{k}",
            "text": f"{words[item]} case {j}",
            "item": item,
            "suggestion": "1" if j % 2 else "0",
        }  # fmt: skip
        for k in range(3)
        for item in words
        for j in range(4)
    ]
    for row in rows:
        if row["suggestion"] == "1":
            row["text"] += ", next time call for help earlier"
    result = evaluate(read_comments(write(tmp_path / "c.csv", rows)))
    tagging = result["tagging"]
    assert isinstance(tagging, dict)
    assert tagging["learners"] == 3 and tagging["comments"] == 24
    assert tagging["top1"] == 1.0 and tagging["top3"] == 1.0
    assert result["suggestion"] == {"labelled": 24, "accuracy": 1.0}


def test_a_bad_file_is_refused_by_line(tmp_path: Path) -> None:
    with pytest.raises(CommentsError, match="missing column"):
        read_comments(write(tmp_path / "a.csv", [{"learner": "a", "text": "x"}]))
    bad = [{"learner": "a", "text": "ok", "item": "I"}, {"learner": "b", "text": " ", "item": "I"}]
    with pytest.raises(CommentsError, match="line 3, column text: empty"):
        read_comments(write(tmp_path / "b.csv", bad))
    (tmp_path / "c.json").write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("narratives", "evaluate", "--input", str(tmp_path / "c.json"))


def test_the_reader_keeps_the_import_limits(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(CommentsError, match="deeper than 64"):
        read_comments(tmp_path / "deep.json")
    (tmp_path / "open.csv").write_bytes(b'learner,text,item\na,"never closed,I\n')
    with pytest.raises(CommentsError, match="unexpected end of data"):
        read_comments(tmp_path / "open.csv")
    rows = "".join(f"a,text {n},I\n" for n in range(MAX_COMMENTS + 1))
    (tmp_path / "long.csv").write_text(f"learner,text,item\n{rows}")
    with pytest.raises(CommentsError, match=f"longer than {MAX_COMMENTS} rows"):
        read_comments(tmp_path / "long.csv")


def test_on_the_real_emergency_medicine_export(real_data: Path) -> None:
    path = real_data / EM_EXPORT
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared/real-data not mounted)")
    out = io.StringIO()
    call_command("narratives", "evaluate", "--input", str(path), "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    tagging = result["tagging"]
    print(f"EM export: {tagging}")
    # 33 EPAs, four residents: each resident's comments tagged by a model of the others'.
    assert tagging["learners"] == 4 and tagging["items"] == 33
    assert tagging["top3"] >= 0.65 and tagging["top1"] > 3 * tagging["majority"]


def test_the_suggestion_rule_against_the_qual_models_scores(real_data: Path) -> None:
    folder = real_data / QUAL
    if not folder.exists():
        pytest.skip(f"{folder} is absent (../shared/real-data not mounted)")
    with (folder / "sample.csv").open(newline="", encoding="utf-8") as handle:
        texts = {r["ID"]: r["Feedback"] for r in csv.DictReader(handle)}
    with (folder / "output.csv").open(newline="", encoding="utf-8") as handle:
        q2 = {r["id"]: r["q2i"] == "0" for r in csv.DictReader(handle)}  # q2i inverted
    agree = sum(has_suggestion(texts[k]) == q2[k] for k in q2)
    print(f"agreement with QuAL's suggestion item: {agree} of {len(q2)}")
    assert agree >= 7


def test_the_nudge_asks_first_for_what_was_seen_then_for_a_next_step() -> None:
    from trellis.analytics.narratives import NUDGE_SPECIFIC, NUDGE_SUGGESTION, comment_nudge

    assert comment_nudge([]) == ""  # nothing typed yet: no nagging
    assert comment_nudge(["Great job!"]) == NUDGE_SPECIFIC
    assert comment_nudge(["Good work, keep it up"]) == NUDGE_SPECIFIC
    seen = "Took a focused history and explained the plan to the family clearly."
    assert comment_nudge([seen]) == NUDGE_SUGGESTION
    assert comment_nudge([seen + " Next time, check understanding with teach-back."]) == ""
    assert comment_nudge([seen], next_step="Check understanding with teach-back.") == ""
