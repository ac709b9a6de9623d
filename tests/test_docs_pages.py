"""The README stays a short front door and the reference under docs/ stays reachable.

The reference moved out of README.md into docs/*.md, so what used to be a jump inside
one file is now a link between files: a renamed heading, a moved page or a new
subcommand would silently leave a reader at a dead link or a stale synopsis. These
tests hold the README to a few screens, check every relative link and anchor, keep
every page reachable from the index, keep the CLI synopsis in step with what
`slogen --help` offers, and keep the benchmark commands the docs name runnable.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
DOCS_INDEX = DOCS / "README.md"
CLI_PAGE = DOCS / "cli.md"
MAX_README_LINES = 250

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]+`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
BENCHMARK = re.compile(r"(?<![\w./-])benchmarks/[\w./-]*\.py\b")


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def prose(text: str) -> str:
    """The text without fenced code blocks, which hold examples rather than links."""
    return FENCE.sub("", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation but '-' and '_' dropped,
    each space a '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor GitHub gives the headings of a file, repeats numbered as it does."""
    seen: dict[str, int] = {}
    result: set[str] = set()
    for match in HEADING.finditer(prose(path.read_text())):
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def relative_links(path: Path) -> list[str]:
    text = INLINE_CODE.sub("", prose(path.read_text()))
    return [t for t in LINK.findall(text) if not SCHEME.match(t)]


def linked_files(path: Path) -> set[Path]:
    """The files a Markdown file links to, resolved."""
    found: set[Path] = set()
    for target in relative_links(path):
        target_path = target.split("#", 1)[0]
        if target_path:
            found.add((path.parent / target_path).resolve())
    return found


def test_readme_is_short_and_names_the_two_commands() -> None:
    text = README.read_text()
    count = len(text.splitlines())
    assert count < MAX_README_LINES, f"README.md has {count} lines; move reference to docs/"
    assert "make generate" in text and "make test" in text


@pytest.mark.parametrize("page", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    broken: list[str] = []
    for target in relative_links(page):
        target_path, _, fragment = target.partition("#")
        resolved = (page.parent / target_path).resolve() if target_path else page
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif fragment and (not resolved.is_file() or fragment not in anchors(resolved)):
            broken.append(f"{target}: no heading with anchor #{fragment}")
    assert not broken, f"{page.relative_to(ROOT)}:\n" + "\n".join(broken)


def test_every_docs_page_is_in_the_index() -> None:
    assert DOCS_INDEX.resolve() in linked_files(README), "README.md does not link docs/README.md"
    indexed = linked_files(DOCS_INDEX)
    pages = {p.resolve() for p in DOCS.glob("*.md")} - {
        DOCS_INDEX.resolve(),
        (DOCS / "spec.md").resolve(),
    }
    missing = sorted(str(p.relative_to(ROOT)) for p in pages - indexed)
    assert not missing, f"docs/README.md does not link: {missing}"


def synopsis_commands() -> set[str]:
    """The subcommands of the first code block under the CLI heading of docs/cli.md."""
    text = CLI_PAGE.read_text()
    section = re.search(r"^## CLI\s*$(.*?)^```[^\n]*\n(.*?)^```", text, re.M | re.S)
    assert section, "docs/cli.md has no synopsis block under '## CLI'"
    return set(re.findall(r"^slogen ([a-z][a-z-]*)", section.group(2), re.MULTILINE))


def help_commands() -> set[str]:
    """The subcommands `slogen --help` lists under its positional arguments."""
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "slogen"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    listing = result.stdout.split("positional arguments:", 1)[1].split("\noptions:", 1)[0]
    return set(re.findall(r"^ {4}([a-z][a-z-]*)(?:\s|$)", listing, re.MULTILINE))


def test_cli_synopsis_matches_the_subcommands() -> None:
    documented = synopsis_commands()
    offered = help_commands()
    assert offered, "found no subcommands in `slogen --help`"
    assert documented == offered, (
        f"in the synopsis but not offered: {sorted(documented - offered)}; "
        f"offered but not in the synopsis: {sorted(offered - documented)}"
    )


def test_benchmark_scripts_named_in_docs_exist() -> None:
    named = {m for page in markdown_files() for m in BENCHMARK.findall(page.read_text())}
    assert named, "the docs name no benchmark script; has the Performance page moved?"
    missing = sorted(name for name in named if not (ROOT / name).is_file())
    assert not missing, f"docs name benchmark scripts that do not exist: {missing}"
