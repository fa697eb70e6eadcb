"""`trellis narratives evaluate --input FILE [--format table|json]`: how well the comment
tools work on comments someone labelled: the suggestion detector's accuracy (against a
`suggestion` column of 1/0) and the item tagger's top-1 and top-3 accuracy, each learner's
comments tagged by a model trained on the others' (leave-one-learner-out).

FILE is a CSV with the header `learner, text, item` (optionally `suggestion`), or a CBD
dashboard JSON export of EPA assessments (username, feedback, epa).
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from trellis.analytics.narratives import CommentsError, evaluate, read_comments
from trellis.lib.commands import TrellisCommand


class Command(TrellisCommand):
    help = "Evaluate the comment tools (suggestion detector, item tagging) on labelled comments."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help="accuracy on a labelled file of comments")
        ev.add_argument(
            "--input", required=True, help="CSV (learner,text,item[,suggestion]) or JSON"
        )
        ev.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = evaluate(read_comments(Path(options["input"])))
        except CommentsError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, indent=2))
            return
        self.stdout.write(f"comments: {result['comments']}")
        self.stdout.write(f"with a suggestion (detector): {result['suggestion_share']:.1%}")
        suggestion = result["suggestion"]
        if isinstance(suggestion, dict):
            self.stdout.write(
                f"suggestion detector: accuracy {suggestion['accuracy']:.1%} "
                f"on {suggestion['labelled']} labelled comments"
            )
        else:
            self.stdout.write("suggestion detector: no labels (no 'suggestion' column)")
        tagging = result["tagging"]
        if isinstance(tagging, dict):
            self.stdout.write(
                f"item tagging, leave-one-learner-out ({tagging['learners']} learners, "
                f"{tagging['items']} items): top-1 {tagging['top1']:.1%}, "
                f"top-3 {tagging['top3']:.1%} (most common item alone: {tagging['majority']:.1%})"
            )
        else:
            self.stdout.write("item tagging: needs two learners or more, on two items or more")
