"""What an import reports when it refuses a file: every problem, each by line or JSON path."""

from __future__ import annotations

from dataclasses import dataclass

from trellis.lib.importing import Problem


@dataclass(frozen=True)
class ImportProblem(Problem):
    """One thing wrong with an imported framework file.

    `line` is the file line for CSV (the header is line 1, and JSON syntax errors carry
    one too); `column` (also `field`) is the CSV column, or for CASE the JSON path such as
    ``CFItems[3].identifier``. On a line, the column is named as a quoted field, as the
    format's documentation does: "line 4, field 'name': required".
    """

    word: str = "line"

    @property
    def field(self) -> str:
        return self.column

    def place(self) -> str:
        if self.line is not None and self.column:
            return f"line {self.line}, field {self.column!r}"
        return super().place()


class FrameworkImportError(Exception):
    """The file was refused whole; `problems` lists everything found, in file order."""

    problems: list[ImportProblem]

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the file"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class Problems:
    """Collects problems while a parser keeps going, so one refusal lists them all."""

    def __init__(self) -> None:
        self.items: list[ImportProblem] = []

    def add(self, message: str, *, line: int | None = None, field: str = "") -> None:
        self.items.append(ImportProblem(line=line, column=field, message=message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise FrameworkImportError(self.items)
