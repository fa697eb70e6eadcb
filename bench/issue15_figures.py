"""The figures of issue 15, measured in a browser on the demo: clicks and page loads for the
committee's hour and for one EPA observation, and page sizes at desktop and phone width.

Run by hand against a demo served on loopback (it writes: proposals, a committee's levels,
an observation, a self-assessment):

    mkdir -p /tmp/i15 && export DEBUG=1 DATABASE_URL=sqlite:////tmp/i15/demo.sqlite3
    .venv/bin/trellis migrate -v0 && .venv/bin/trellis demo --no-serve
    .venv/bin/trellis runserver 127.0.0.1:8790 --noreload &
    .venv/bin/python bench/issue15_figures.py --base http://127.0.0.1:8790 [--shots DIR]

A click is a choice made or a button or link pressed: a select set, a chip or radio
ticked, a submit, a link followed. Typing is not counted. Page loads are the main frame's
load events after signing in. Chromium is Debian's (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

PASSWORD = "trellis-demo"  # noqa: S105 (the demo's published password)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SLUG = "riverside-im"


@dataclass
class Flow:
    page: Any
    base: str
    shots: Path | None
    width: int
    clicks: int = 0
    choices: int = 0
    loads: int = 0
    log: list[str] = field(default_factory=list)

    def count_loads(self) -> None:
        self.loads = 0
        self.page.on("load", lambda _: self._loaded())

    def _loaded(self) -> None:
        self.loads += 1

    def click(self, target: Any, why: str) -> None:
        self.clicks += 1
        self.log.append(why)
        with self.page.expect_navigation():
            target.click()
        self.page.wait_for_load_state()

    def select(self, target: Any, value: str) -> None:
        self.clicks += 1
        self.choices += 1
        target.select_option(value)

    def check(self, target: Any) -> None:
        self.clicks += 1
        self.choices += 1
        target.click()

    def height(self) -> int:
        return int(self.page.evaluate("document.documentElement.scrollHeight"))

    def shot(self, name: str) -> None:
        if self.shots:
            self.page.screenshot(path=str(self.shots / f"{name}-{self.width}.png"), full_page=True)


def sign_in(
    browser: Any, base: str, who: str, viewport: dict[str, int], shots: Path | None
) -> Flow:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", f"{who}@demo.trellis.test")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    flow = Flow(page=page, base=base, shots=shots, width=viewport["width"])
    flow.count_loads()
    return flow


def status_text(flow: Flow) -> str:
    return " ".join(flow.page.get_by_role("status").all_inner_texts())


def pre_review(
    browser: Any, base: str, viewport: dict[str, int], shots: Path | None, n: int
) -> dict[str, Any]:
    """committee@ from home (Yours to pre-review) to a learner's pre-review, a level
    proposed for every item (Level 3, the seventh choice), saved once."""
    flow = sign_in(browser, base, "committee", viewport, shots)
    page = flow.page
    mine = page.locator("ul[aria-labelledby$='-prereviews'] a")
    target = mine.nth(n)
    learner = target.inner_text().strip()
    flow.click(target, f"{learner} (home, Yours to pre-review)")
    flow.shot("prereview")
    height = flow.height()
    selects = page.locator("form.prereview select[name$='-level']")
    items = selects.count()
    for i in range(items):
        options = selects.nth(i).locator("option")
        values = [options.nth(j).get_attribute("value") for j in range(options.count())]
        flow.select(selects.nth(i), values[min(6, len(values) - 1)])
    flow.click(page.get_by_role("button", name="Save proposals"), "Save proposals")
    saved = status_text(flow)
    return {
        "learner": learner,
        "items": items,
        "clicks": flow.clicks,
        "choices": flow.choices,
        "required": 0,
        "loads": flow.loads,
        "page_height": height,
        "status": saved,
    }


def meeting(
    browser: Any, base: str, viewport: dict[str, int], shots: Path | None, learner: str
) -> dict[str, Any]:
    """director@ from home to that learner's meeting screen, every proposal accepted with
    one Save."""
    flow = sign_in(browser, base, "director", viewport, shots)
    page = flow.page
    flow.click(page.get_by_role("link", name=re.compile(r"^Committee: ")).first, "Committee (home)")
    flow.click(page.get_by_role("link", name=f"Meeting {learner}"), f"Meeting {learner}")
    flow.shot("meeting")
    height = flow.height()
    pending = (
        page.locator("#pending-note").inner_text() if page.locator("#pending-note").count() else ""
    )
    flow.click(page.get_by_role("button", name=f"Save {learner}"), "Save")
    return {
        "clicks": flow.clicks,
        "choices": flow.choices,
        "required": 0,
        "loads": flow.loads,
        "page_height": height,
        "pending_note": pending,
        "status": status_text(flow),
    }


def page_size(
    browser: Any,
    base: str,
    viewport: dict[str, int],
    shots: Path | None,
    who: str,
    path: str,
    name: str,
    table: str | None = None,
) -> dict[str, Any]:
    flow = sign_in(browser, base, who, viewport, shots)
    flow.page.goto(base + path)
    flow.page.wait_for_load_state("networkidle")
    flow.shot(name)
    out: dict[str, Any] = {
        "height": flow.height(),
        "page_width": flow.page.evaluate("document.documentElement.scrollWidth"),
    }
    if table:
        found = flow.page.locator(table).first
        out["table_shown"] = found.is_visible()
        out["table_width"] = found.evaluate("t => t.scrollWidth") if out["table_shown"] else 0
    flow.page.context.close()
    return out


def observation(
    browser: Any, base: str, viewport: dict[str, int], shots: Path | None
) -> dict[str, Any]:
    """faculty@ from home: Rate beside a residency learner supervised today, one EPA
    chosen, one level, Submit (a comment typed, not counted)."""
    flow = sign_in(browser, base, "faculty", viewport, shots)
    page = flow.page
    rate = page.locator(f"a[href^='/assess/{SLUG}/learner/']").first
    flow.click(rate, "Rate (home)")
    flow.shot("capture")
    learner = page.locator("h1").first.inner_text()
    suggested = page.locator("input.chip__input:checked").count()
    flow.check(page.locator("input.chip__input:not(:checked) + label.chip").first)
    row = page.locator("fieldset.rate:not([hidden])").last
    flow.check(row.locator("label.rate__level").nth(2))
    # A fresh comment: the same content again within 15 minutes is the same submission.
    page.get_by_role("textbox").first.fill(f"Bench run {time.time():.0f}")
    flow.click(page.get_by_role("button", name="Submit"), "Submit")
    return {
        "learner": learner,
        "suggested_chips": suggested,
        "clicks": flow.clicks,
        "choices": flow.choices,
        "loads": flow.loads,
        "done": " ".join(page.get_by_role("status").all_inner_texts())
        or page.locator("h1").first.inner_text(),
    }


# (what, who, path, screenshot name, the table whose width is measured)
PAGES = [
    ("requests list", "coordinator", f"/programs/{SLUG}/assessments/requests/", "requests", None),
    ("learners at a glance", "director", f"/programs/{SLUG}/records/", "glance", "table.glance"),
    ("learner record", "director", f"/programs/{SLUG}/records/learners/33/", "record", None),
    (
        "CEM self-assessment, first (fdlead@)",
        "fdlead",
        "/educators/self-assessment/",
        "cem-1",
        None,
    ),
    (
        "CEM self-assessment, repeat (educator@)",
        "educator",
        "/educators/self-assessment/",
        "cem-2",
        None,
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8790")
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    base, shots = args.base, args.shots
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=args.chromium, headless=True, args=["--no-sandbox"]
        )
        for n, viewport in enumerate([DESKTOP, PHONE]):
            w = viewport["width"]
            pr = pre_review(browser, base, viewport, shots, n)
            print(f"[{w}] pre-review of {pr['learner']}: {pr}")
            accepted = meeting(browser, base, viewport, shots, pr["learner"])
            print(f"[{w}] meeting, accept all: {accepted}")
            for label, who, path, name, table in PAGES:
                size = page_size(browser, base, viewport, shots, who, path, name, table)
                print(f"[{w}] {label}: {size}")
            print(f"[{w}] one EPA observation: {observation(browser, base, viewport, shots)}")
        browser.close()


if __name__ == "__main__":
    main()
