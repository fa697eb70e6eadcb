"""The letters of a map cell: I (introduced), R (reinforced), A (assessed), in any mix."""

from __future__ import annotations

from collections.abc import Iterable

from trellis.curriculum.models import Emphasis

ORDER = (Emphasis.INTRODUCED.value, Emphasis.REINFORCED.value, Emphasis.ASSESSED.value)
LETTERS = frozenset(ORDER)
# Separators people type between letters ("I, A", "I/R") and that carry no meaning.
_IGNORED = set(" ,;/+-.")


class EmphasisError(ValueError):
    pass


def parse_emphases(text: str) -> frozenset[str]:
    """ "ia", "I, A" and "AI" all mean introduced and assessed; an empty cell means none.
    Any other letter is an EmphasisError (the message is shown next to the cell)."""
    letters = [ch for ch in text.strip().upper() if ch not in _IGNORED]
    unknown = sorted({ch for ch in letters if ch not in LETTERS})
    if unknown:
        shown = ", ".join(unknown)
        raise EmphasisError(f"Only I, R and A are allowed (not {shown})")
    return frozenset(letters)


def format_emphases(emphases: Iterable[str]) -> str:
    chosen = set(emphases)
    return "".join(letter for letter in ORDER if letter in chosen)


def strongest(emphases: Iterable[str]) -> str:
    """A for assessed, else R, else I, else "" — what the heat map colours a cell by."""
    chosen = set(emphases)
    for letter in reversed(ORDER):
        if letter in chosen:
            return letter
    return ""
