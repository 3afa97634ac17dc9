"""The README and docs/ hold together: every relative link reaches a file, every #anchor a heading.

The README is the way in (at most 200 lines, issue 21) and points into docs/, one page a topic;
each page of docs/ opens with its own table of contents, a "**Contents**" list of links to its
sections. Code, tests and docs cite a section as `docs/<page>.md, "<heading>"`: each cited heading
must exist in that page. Anchors follow GitHub's rules: the heading in lower case, punctuation
other than '-' and '_' dropped, each space a '-', and '-1', '-2', ... for a repeated heading.
Pure text: no build, no network.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").rglob("*.md"))
PAGES = [ROOT / "README.md", *DOCS]
# Pages with a table of contents: the top-level pages of docs/ (design notes are documents of their own).
TOPIC_PAGES = sorted((ROOT / "docs").glob("*.md"))

LINK = re.compile(r"(?<!!)\[[^\[\]]*\]\(([^()\s]+)\)")
# A citation may break across comment lines: `docs/athena.md, "Running on a real AWS\n    # account, ...".
CITATION = re.compile(r"(docs/[\w/.-]+\.md),\s+(?:#\s*)?\\?\"([^\"\\]+)\\?\"")
CITING_FOLDERS = ("macros", "models", "src", "tests", "bench", "harness", "iam", "docs", ".github")
CITING_FILES = ("README.md", "Makefile", "dbt_project.yml", "profiles.example.yml")


def prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where a link is not a link."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"`[^`\n]*`", "``", text)


def headings(path: Path) -> list[tuple[int, str]]:
    """(level, text) of every ATX heading outside fenced code."""
    found = []
    for line in prose_lines(path.read_text()):
        match = re.match(r"(#{1,6}) (.+?)\s*#*\s*$", line)
        if match:
            found.append((len(match[1]), match[2]))
    return found


def prose_lines(text: str) -> list[str]:
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def slug(heading: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for _, text in headings(path):
        base = slug(text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def links(path: Path) -> list[str]:
    return [target for target in LINK.findall(prose(path.read_text())) if "://" not in target]


def test_the_readme_is_a_way_in_of_at_most_200_lines() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    linked = {Path(target.split("#")[0]) for target in links(ROOT / "README.md")}
    assert {page.relative_to(ROOT) for page in TOPIC_PAGES} <= linked, "a page of docs/ the README omits"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_reaches_a_file_and_its_anchor(page: Path) -> None:
    broken = []
    for target in links(page):
        if target.startswith("mailto:"):
            continue
        file_part, _, anchor = target.partition("#")
        destination = (page.parent / file_part).resolve() if file_part else page
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"{page.relative_to(ROOT)}: {broken}"


@pytest.mark.parametrize("page", TOPIC_PAGES, ids=lambda page: page.name)
def test_each_page_opens_with_a_summary_and_its_table_of_contents(page: Path) -> None:
    lines = page.read_text().splitlines()
    assert lines[0].startswith("# ") and lines[2].strip(), "a title, then a summary paragraph"
    assert "**Contents**" in lines, "no table of contents"
    start = lines.index("**Contents**") + 1
    contents = []
    for line in lines[start:]:
        if line.startswith("#"):
            break
        contents += re.findall(r"\]\(#([^)]+)\)", line)
    sections = [slug(text) for level, text in headings(page) if level == 2]
    assert sections and all(section in contents for section in sections), (sections, contents)


def cited_sections() -> list[tuple[str, str, str]]:
    files = [ROOT / name for name in CITING_FILES]
    for folder in CITING_FOLDERS:
        files += [path for path in (ROOT / folder).rglob("*") if path.is_file()]
    citations = []
    for path in files:
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        for page, heading in CITATION.findall(text):
            heading = re.sub(r"\s*\n\s*(?:#\s*)?", " ", heading)
            citations.append((str(path.relative_to(ROOT)), page, heading))
    return citations


def test_every_section_cited_by_name_exists() -> None:
    citations = cited_sections()
    assert citations, "no citation found: the pattern no longer matches how sections are cited"
    missing = []
    for where, page, heading in citations:
        target = ROOT / page
        names = {text for _, text in headings(target)} if target.is_file() else set()
        if heading not in names | {name.replace("`", "") for name in names}:
            missing.append(f'{where}: {page}, "{heading}"')
    assert not missing, missing
