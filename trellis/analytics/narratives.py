"""Narrative comments: does a comment say what to do next, and which framework items does
it speak about? Offline: a rule set for suggestions, and per program a TF-IDF + logistic
regression model (scikit-learn) trained on its own tagged comments; nothing is downloaded.

The suggestion rule follows the QuAL score's second item ("is there a suggestion for
improvement?"; Chan et al. 2022, *Journal of Graduate Medical Education*, the QuAL score's
evidence / suggestion / connection): a comment suggests when it holds a forward-looking or
directive phrase ("next time", "consider", "work on", "try to", "should", "make sure",
"would benefit", ...). `evaluate` reports, on a labelled file, the detector's accuracy
and the tagger's top-1 and top-3 accuracy, leave-one-learner-out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trellis.lib.importing import Table, UnreadableFile, read_json, read_table

# Forward-looking and directive phrases: what the QuAL score's suggestion item asks for.
SUGGESTION = re.compile(
    r"\b(next time|in the future|going forward|moving forward|for next|"
    r"consider(ing)?|work(ing)? on|try(ing)? to|try |should|could|would benefit|"
    r"make sure|remember to|be sure to|focus(ing)? on|aim to|goal|recommend(ed)?|"
    r"suggest(ed|ion)?|practi[cs]e|read (up|about|more)|review(ing)?|need(s)? to|"
    r"continue to|don'?t forget|avoid|improve|improvement|opportunit(y|ies)|"
    r"work towards?|be more|be explicit|ask for|when you|would have|instead of)\b",
    re.IGNORECASE,
)


def has_suggestion(text: str) -> bool:
    """Whether the comment suggests what to do next (the QuAL suggestion item)."""
    return bool(SUGGESTION.search(text or ""))


# Praise with nothing behind it: "Great job!", "Good work, keep it up."
VAGUE = re.compile(
    r"^\W*((great|good|nice|excellent|awesome|solid|fine|ok(ay)?|well done|keep it up|"
    r"keep up the good work|no concerns|pleasure to work with)\W*(job|work|shift|stuff)?\W*)+$",
    re.IGNORECASE,
)
SPECIFIC_WORDS = 6  # fewer words than this can hardly say what was seen
NEXT_STEP_PROMPT = "next-time"  # the built-in forms' "One thing to do next time"
NUDGE_SPECIFIC = "Say what you saw: one specific thing they did, and how it went."
NUDGE_SUGGESTION = "Add one thing to do next time, e.g. “Next time, …”."


def comment_nudge(texts: list[str], *, next_step: str = "") -> str:
    """The gentle nudge for what a rater has written so far ("" when none is due): first
    that it says what was seen, then that it says what to do next. An answer in a form's
    "next step" box (NEXT_STEP_PROMPT) is a suggestion by its place. Never blocks."""
    text = " ".join(t.strip() for t in [*texts, next_step] if t and t.strip())
    if not text:
        return ""
    if len(text.split()) < SPECIFIC_WORDS or VAGUE.match(text):
        return NUDGE_SPECIFIC
    if not suggests(texts, next_step=next_step):
        return NUDGE_SUGGESTION
    return ""


def suggests(texts: list[str], *, next_step: str = "") -> bool:
    """Whether an assessment's comments say what to do next: an answer of three words or
    more in the form's "next step" box, or a suggestion anywhere in them (QuAL's item 2).
    The nudge asks for one where this is False; the comment-quality page counts it."""
    if len(next_step.split()) >= 3:
        return True
    return has_suggestion(" ".join(t for t in [*texts, next_step] if t))


# Words that place a learner high or low on a supervision scale. A comment with one kind and
# a level from the other end of the scale disagrees with itself: its rater is asked to look.
HIGH_WORDS = re.compile(
    r"\b(independent(ly)?|without (any )?(help|supervision|prompting)|excellent|outstanding|"
    r"exceptional|superb|flawless|exceeds? expectations|ready (for|to) (independent )?"
    r"(practi[cs]e|graduate|attend)|best (resident|student|intern)|could (be|have been) "
    r"(the )?attending|like a (senior|fellow|attending))\b",
    re.IGNORECASE,
)
LOW_WORDS = re.compile(
    r"\b(unsafe|dangerous|not safe|needs? (close|direct|constant) supervision|"
    r"had to (take over|step in|do it)|unable to|could not|couldn'?t|struggl(ed|es|ing)|"
    r"significant (concern|gaps?)|serious (concern|errors?)|well below)\b",
    re.IGNORECASE,
)
NEGATED = re.compile(
    r"\b(not|never|no longer|far from|yet to be|isn'?t|wasn'?t)\s+(\w+\s+)?$", re.I
)


def _said(pattern: re.Pattern[str], text: str) -> str:
    """The first phrase of `pattern` in `text` that is not negated just before it."""
    for m in pattern.finditer(text):
        if not NEGATED.search(text[max(0, m.start() - 30) : m.start()]):
            return m.group(0)
    return ""


def level_text_mismatch(texts: list[str], levels: list[float], *, top: float = 5.0) -> str:
    """Why a form's words and levels disagree ("" when they do not): high praise with
    every level in the bottom fifth of the scale, or words of unsafe or struggling practice
    with every level in the top fifth. A rule, not a model: it flags for a person to read."""
    text = " ".join(t for t in texts if t)
    rated = [v for v in levels if v is not None]
    if not text or not rated:
        return ""
    low_end, high_end = 1 + (top - 1) * 0.2, top - (top - 1) * 0.2
    if max(rated) <= low_end and (high := _said(HIGH_WORDS, text)):
        return f"“{high}” with level {max(rated):g}"
    if min(rated) >= high_end and (low := _said(LOW_WORDS, text)):
        return f"“{low}” with level {min(rated):g}"
    return ""


def nudge_rules() -> dict[str, str]:
    """The nudge's rules for the form's script (which applies them while the rater types):
    the same patterns and words as `comment_nudge`, so the rule has one home."""
    return {
        "suggestion": SUGGESTION.pattern,
        "vague": VAGUE.pattern,
        "min-words": str(SPECIFIC_WORDS),
        "next-step": f"comment-{NEXT_STEP_PROMPT}",
        "say-specific": NUDGE_SPECIFIC,
        "say-suggestion": NUDGE_SUGGESTION,
    }


class CommentsError(ValueError):
    """A comments file that cannot be evaluated, with the row to fix."""


@dataclass(frozen=True)
class Comments:
    learners: list[str]
    texts: list[str]
    items: list[str]
    suggestion: list[bool | None]  # the label, where the file has one


def _truth(value: str, where: str) -> bool | None:
    v = value.strip().lower()
    if not v:
        return None
    if v in {"1", "true", "yes", "y"}:
        return True
    if v in {"0", "false", "no", "n"}:
        return False
    raise CommentsError(f"{where}, column suggestion: {value!r} is not 1/0, yes/no")


MAX_COMMENTS = 50_000  # as the assessment importer: a program's years of comments


def read_comments(path: Path) -> Comments:
    """A CSV with the header `learner, text, item` (and optionally `suggestion`, 1/0), or a
    CBD dashboard JSON export (a list of records with username, feedback and epa)."""
    if not path.is_file():
        raise CommentsError(f"{path}: no such file")
    learners: list[str] = []
    texts: list[str] = []
    items: list[str] = []
    labels: list[bool | None] = []
    data = path.read_bytes()
    try:
        if path.suffix.lower() == ".json":
            _json_comments(read_json(data), path, learners, texts, items, labels)
        else:
            _csv_comments(
                read_table(data=data, max_rows=MAX_COMMENTS, casefold=True),
                path,
                learners,
                texts,
                items,
                labels,
            )
    except UnreadableFile as exc:
        raise CommentsError(f"{path}: {exc}" + (f" (line {exc.line})" if exc.line else "")) from exc
    if not texts:
        raise CommentsError(f"{path}: no comments")
    return Comments(learners, texts, items, labels)


def _json_comments(
    records: object,
    path: Path,
    learners: list[str],
    texts: list[str],
    items: list[str],
    labels: list[bool | None],
) -> None:
    if not isinstance(records, list):
        raise CommentsError(f"{path}: expected a list of assessment records")
    if len(records) > MAX_COMMENTS:
        raise CommentsError(f"{path}: more than {MAX_COMMENTS} records; split it")
    for n, r in enumerate(records, start=1):
        if not isinstance(r, dict) or not {"username", "feedback", "epa"} <= set(r):
            raise CommentsError(f"{path}: record {n} lacks username, feedback or epa")
        if str(r["feedback"]).strip() and str(r["epa"]).strip():
            learners.append(str(r["username"]))
            texts.append(str(r["feedback"]))
            items.append(str(r["epa"]))
            labels.append(None)


def _csv_comments(
    table: Table,
    path: Path,
    learners: list[str],
    texts: list[str],
    items: list[str],
    labels: list[bool | None],
) -> None:
    missing = [c for c in ("learner", "text", "item") if c not in table.header]
    if missing:
        raise CommentsError(f"{path}: missing column(s) {', '.join(missing)}")
    for row in table:
        if not row.get("text"):
            raise CommentsError(f"{path}: line {row.line}, column text: empty")
        learners.append(row.get("learner"))
        texts.append(row.get("text"))
        items.append(row.get("item"))
        labels.append(_truth(row.get("suggestion"), f"{path}: line {row.line}"))


def tagging_model() -> Any:
    """Word 1-2 grams and character 3-5 grams (robust to the abbreviations and typos of
    bedside notes), TF-IDF weighted, into a multinomial logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True)
    return make_pipeline(make_union(words, chars), LogisticRegression(max_iter=2000, C=10.0))


def tagging_accuracy(comments: Comments) -> dict[str, float | int]:
    """Top-1 and top-3 accuracy of item tagging, leave-one-learner-out: each learner's
    comments are tagged by a model trained on everyone else's. Items a fold's training
    set never saw count as misses."""
    texts, items = np.array(comments.texts, dtype=object), np.array(comments.items)
    groups = np.array(comments.learners)
    learners = sorted(set(comments.learners))
    if len(learners) < 2 or len(set(comments.items)) < 2:
        raise CommentsError("tagging needs comments about two learners or more, on two items")
    hit1 = hit3 = total = 0
    for held in learners:
        test = groups == held
        model = tagging_model().fit(texts[~test], items[~test])
        probabilities = model.predict_proba(texts[test])
        classes = model.classes_
        top = np.argsort(-probabilities, axis=1)[:, :3]
        truth = items[test]
        hit1 += int((classes[top[:, 0]] == truth).sum())
        hit3 += int(sum(t in classes[row] for t, row in zip(truth, top, strict=True)))
        total += len(truth)
    return {
        "comments": total,
        "learners": len(learners),
        "items": len(set(comments.items)),
        "top1": hit1 / total,
        "top3": hit3 / total,
        "majority": max(comments.items.count(i) for i in set(comments.items)) / total,
    }


def suggestion_accuracy(comments: Comments) -> dict[str, float | int] | None:
    """The detector against the file's labels (None when it has none)."""
    labelled = zip(comments.texts, comments.suggestion, strict=True)
    pairs = [(t, s) for t, s in labelled if s is not None]
    if not pairs:
        return None
    right = sum(has_suggestion(t) == s for t, s in pairs)
    return {"labelled": len(pairs), "accuracy": right / len(pairs)}


def evaluate(comments: Comments) -> dict[str, object]:
    """Both evaluations, and the share of comments the detector finds a suggestion in.
    Tagging is left out (None) of a file with one learner or one item."""
    flagged = sum(has_suggestion(t) for t in comments.texts)
    try:
        tagging: dict[str, float | int] | None = tagging_accuracy(comments)
    except CommentsError:
        tagging = None
    return {
        "comments": len(comments.texts),
        "suggestion_share": flagged / len(comments.texts),
        "suggestion": suggestion_accuracy(comments),
        "tagging": tagging,
    }
