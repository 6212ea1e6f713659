"""The runbook (docs/runbook.md) cut into its `##` sections, each with the anchor the notifications link to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

RUNBOOK = Path(__file__).resolve().parents[2] / "docs" / "runbook.md"
_NUMBERED = re.compile(r"^\d+\. ")


@dataclass(frozen=True)
class Section:
    """A `##` section: its title, anchor ('stale-data') and Markdown body; the text before the first has no title."""

    title: str
    anchor: str
    body: str


def anchor(title: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, spaces to '-', punctuation dropped."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _paragraph(line: str) -> bool:
    """Whether a line is a paragraph's text: not blank, indented, a list item, a table row or a code fence."""
    return (
        bool(line.strip())
        and not line[:1].isspace()
        and not _NUMBERED.match(line)
        and not line.startswith(("- ", "* ", "|", "```", "#"))
    )


def separate_lists(markdown: str) -> str:
    """A blank line before a numbered list that follows a paragraph line: CommonMark lets '1.' start a list there,
    but the parser behind dcc.Markdown reads it as the paragraph's text."""
    out: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        fenced ^= line.startswith("```")
        if not fenced and _NUMBERED.match(line) and out and _paragraph(out[-1]):
            out.append("")
        out.append(line)
    return "\n".join(out)


def sections(markdown: str) -> list[Section]:
    """The text cut at each `## ` heading outside code blocks; the first section is what comes before any."""
    titles: list[str] = [""]
    bodies: list[list[str]] = [[]]
    fenced = False
    for line in markdown.splitlines():
        fenced ^= line.startswith("```")
        if line.startswith("## ") and not fenced:
            titles.append(line[3:].strip())
            bodies.append([])
        else:
            bodies[-1].append(line)
    return [
        Section(t, anchor(t) if t else "", separate_lists("\n".join(b)).strip())
        for t, b in zip(titles, bodies, strict=True)
    ]


def runbook(path: Path = RUNBOOK) -> list[Section]:
    """The runbook's sections (read at each call: an edited runbook shows without a restart)."""
    return sections(path.read_text(encoding="utf-8"))
