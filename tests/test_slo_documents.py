"""SLO documents: a page per service and an index, exact budgets, safe markdown, and
links and proofs that point at files which exist."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

import slogen
from slogen import budget_policy
from slogen.docs import budget
from slogen.docs import markdown as md
from slogen.docs.links import INDEX
from slogen.layout import DOCS_DIR
from tests.conftest import GENERATED, MINIMAL_SPEC, SPECS, write_spec

LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def bundle() -> slogen.Bundle:
    return slogen.compile(slogen.load([SPECS]))


def _docs(files: dict[str, bytes] | Any) -> dict[str, str]:
    return {
        path.removeprefix(f"{DOCS_DIR}/"): content.decode("utf-8")
        for path, content in files.items()
        if path.startswith(f"{DOCS_DIR}/")
    }


def _compile(tmp_path: Path, spec: str, name: str = "shop.yaml") -> dict[str, str]:
    write_spec(tmp_path, name, spec)
    return _docs(slogen.compile(slogen.load(tmp_path)).files)


def test_a_page_per_service_and_an_index(bundle: slogen.Bundle) -> None:
    docs = _docs(bundle.files)
    services = [service.name for service in bundle.model.services]
    assert sorted(docs) == sorted([INDEX, *(f"{name}.md" for name in services)])
    assert {p.name: p.read_text() for p in (GENERATED / DOCS_DIR).iterdir()} == docs
    index = docs[INDEX]
    for slo in bundle.model.slos():
        assert f"[{slo.name}]({slo.service}.md#slo-{slo.name})" in index
        page = docs[f"{slo.service}.md"]
        assert f"## SLO: {slo.name}\n" in page and "```promql\n" in page
    assert "| [orders-pipeline](orders-pipeline.md) | data-engineering | " in index
    assert "| 99.5% | 30d | 0.5% | 216 min |" in index


@pytest.mark.parametrize(
    ("objective", "window", "minutes", "spelled"),
    [("99.9", "30d", "43.2", "43m12s"), ("99.5", "28d", "201.6", "3h21m36s")],
)
def test_budget_in_minutes_of_full_outage(
    tmp_path: Path, objective: str, window: str, minutes: str, spelled: str
) -> None:
    spec = MINIMAL_SPEC.replace("objective: 99.9", f"objective: {objective}")
    docs = _compile(tmp_path, f"window: {window}\n" + spec)
    assert f"**{minutes} minutes** of full outage per {window} ({spelled})" in docs["shop.md"]
    assert f"| {minutes} min |" in docs[INDEX]


def test_budget_minutes_are_exact_or_marked_rounded() -> None:
    assert budget.decimal(Fraction("43.2")) == "43.2"
    assert budget.decimal(Fraction(2016)) == "2016"
    assert budget.decimal(Fraction("0.000432")) == "0.000432"
    assert budget.decimal(Fraction(1, 3)) == "≈0.33"
    assert budget.decimal(Fraction(2, 3)) == "≈0.67"
    assert budget.decimal(Fraction(1, 10**9)) == "≈0"


def test_policy_states_are_the_ones_status_reports() -> None:
    for state in budget.POLICY_STATES:
        below_high = None if state.high is None else state.high - Fraction(1, 1000)
        inside = [value for value in (state.low, below_high) if value is not None]
        for remaining in inside:
            assert budget_policy.state(float(remaining)) == state.name


def test_dependencies_both_ways(bundle: slogen.Bundle) -> None:
    docs = _docs(bundle.files)
    training, orders = docs["training-pipeline.md"], docs["orders-pipeline.md"]
    assert "- **Depends on:** [orders-pipeline](orders-pipeline.md)\n" in training
    assert "- **Needed by:** none\n" in training
    assert "- **Needed by:** [training-pipeline](training-pipeline.md)\n" in orders
    assert "- Needs [orders-pipeline](orders-pipeline.md): while orders-pipeline pages" in training
    assert "- Needed by [training-pipeline](training-pipeline.md): while this service" in orders
    assert "No service depends on this one, and it depends on none." in docs["checkout-api.md"]


def _secrets(node: Any) -> list[str]:
    """Every value in routing.yaml that is a path, URL or address."""
    if isinstance(node, dict):
        return [found for value in node.values() for found in _secrets(value)]
    if isinstance(node, list):
        return [found for value in node for found in _secrets(value)]
    text = str(node)
    return [text] if text.startswith(("/", "http")) or "@" in text or "." in text else []


def test_receivers_by_name_and_nothing_from_the_routing_file_beyond(
    bundle: slogen.Bundle,
) -> None:
    docs = _docs(bundle.files)
    assert "- **Pages go to:** `slogen/payments/page` (pagerduty)\n" in docs["checkout-api.md"]
    assert (
        "`slogen/payments/ticket` (slack); muted during `slogen/payments/release-window`"
        in (docs["checkout-api.md"])
    )
    assert (
        "- **Pages:** none (no alert of this service is a page)\n" in (docs["training-pipeline.md"])
    )
    assert "| payments | [checkout-api](checkout-api.md) | `slogen/payments/page` |" in docs[INDEX]
    hidden = _secrets(yaml.safe_load((SPECS / "routing.yaml").read_text()))
    assert "/etc/alertmanager/secrets/payments-pagerduty" in hidden
    for name, page in docs.items():
        leaked = [value for value in hidden if value in page]
        assert not leaked, f"{name} shows {leaked}"
        assert "secrets" not in page and "_file" not in page


def test_escaping_helpers() -> None:
    assert md.text("a | b *c* `d` [e](f) <g> _h_ & ~i~ #j") == (
        r"a \| b \*c\* \`d\` \[e\](f) \<g\> \_h\_ \& \~i\~ \#j"
    )
    assert md.text("one\n  two\tthree") == "one two three"
    assert md.text("- not a list") == r"\- not a list"
    assert md.text("1. not a list") == r"1\. not a list"
    assert md.text(r"back\slash") == r"back\\slash"
    assert md.code("a`b") == "``a`b``" and md.code("`x`") == "`` `x` ``"
    assert md.code("a|b") == "`a|b`" and md.code("a|b", in_table=True) == r"`a\|b`"
    assert md.fenced("x\n```\ny", "promql") == "````promql\nx\n```\ny\n````"
    assert md.url("https://x.example/a b(c)|d") == "https://x.example/a%20b%28c%29%7Cd"
    assert md.link("a]b", "https://x.example/?q=1&r=2#s") == r"[a\]b](https://x.example/?q=1&r=2#s)"
    assert md.anchor("SLO: requests-availability") == "slo-requests-availability"
    with pytest.raises(ValueError):
        md.table(("a", "b"), [("1",)])


def _cells(line: str) -> int:
    """Cells of a table row, splitting only on unescaped pipes."""
    return len(re.split(r"(?<!\\)\|", line.strip().strip("|")))


def test_user_text_cannot_break_a_table_or_start_markup(tmp_path: Path) -> None:
    spec = MINIMAL_SPEC.replace(
        "team: web\n", 'team: web\ndescription: "- a | b * c `d`\\n# not a heading"\n'
    ).replace("objective: 99.9", 'description: "p95 | p99 < 1 ** x"\n    objective: 99.9')
    docs = _compile(tmp_path, spec)
    page, index = docs["shop.md"], docs[INDEX]
    assert r"\- a \| b \* c \`d\` \# not a heading" in page
    assert r"p95 \| p99 \< 1 \*\* x" in page
    for text in (page, index):
        for block in text.split("\n\n"):
            rows = [line for line in block.splitlines() if line.startswith("|")]
            assert len({_cells(row) for row in rows}) <= 1, block


def test_the_same_specs_give_the_same_bytes(tmp_path: Path) -> None:
    first = slogen.compile(slogen.load([SPECS])).files
    backwards = sorted(SPECS.glob("*.yaml"), reverse=True)
    second = slogen.compile(slogen.load(backwards)).files
    assert _docs(first) == _docs(second)
    assert all(not re.search(r"20\d\d-\d\d-\d\d", page) for page in _docs(first).values())


def _anchors(page: str) -> set[str]:
    return {md.anchor(line.lstrip("#").strip()) for line in page.splitlines() if line[:1] == "#"}


def test_every_relative_link_reaches_a_generated_file(bundle: slogen.Bundle) -> None:
    docs = _docs(bundle.files)
    checked = 0
    for name, page in docs.items():
        for target in LINK.findall(page):
            if target.startswith("https://"):
                continue
            path, _, fragment = target.partition("#")
            resolved = (Path(DOCS_DIR) / (path or name)).as_posix()
            while "/../" in resolved:
                resolved = re.sub(r"[^/]+/\.\./", "", resolved, count=1)
            assert resolved in bundle.files, f"{name} links {target}"
            if fragment:
                assert fragment in _anchors(docs[resolved.removeprefix(f"{DOCS_DIR}/")])
            checked += 1
    assert checked > 50


def test_proofs_name_the_test_files_and_their_gaps(bundle: slogen.Bundle) -> None:
    docs = _docs(bundle.files)
    pages = "".join(docs.values())
    for gap in bundle.gaps():
        service, rest = gap.split("/", 1)
        slo, reason = rest.split(": not covered: ", 1)
        section = docs[f"{service}.md"].split(f"## SLO: {slo}\n")[1].split("\n## ")[0]
        assert f"- {md.text(reason)}\n" in section
    assert pages.count("Not covered:") == len({g.split(": ")[0] for g in bundle.gaps()})
    listed = re.findall(r"\[`(tests/[^`]+)`\]\(\.\./tests/[^)]+\): ([^\n]+)", pages)
    assert listed
    for path, scenarios in listed:
        header = bundle.files[path].decode("utf-8")
        for scenario in re.sub(r"\\(.)", r"\1", scenarios).split("; "):
            assert f"\n# {scenario}" in header, (path, scenario)


def test_dashboard_links_open_the_panel_the_alerts_open(bundle: slogen.Bundle) -> None:
    docs = _docs(bundle.files)
    urls = re.findall(
        r"\((https://grafana\.example\.com/[^)]+viewPanel=\d+)\)", docs["checkout-api.md"]
    )
    assert len(set(urls)) == 9  # three panels for each of three SLOs
    rules = bundle.files["prometheus/checkout-api.rules.yml"].decode("utf-8")
    for url in urls:
        assert re.search(re.escape(url) + r"(&|\n|$)", rules), url


def test_without_routing_or_grafana_the_page_says_so(tmp_path: Path) -> None:
    page = _compile(tmp_path, MINIMAL_SPEC)["shop.md"]
    assert "- **Alerts go to:** no routing.yaml; they carry `team` and `severity`\n" in page
    assert "- **Dashboard:** no `grafana_url` set" in page
    assert (
        "| no routing.yaml | [runbook](https://runbooks.example.com/shop/availability) | none |"
        in (page)
    )


def test_policy_table_places_a_custom_budget_alert_inside_its_state(tmp_path: Path) -> None:
    spec = MINIMAL_SPEC.replace(
        "runbook:",
        "alerting:\n  budget_remaining:\n    - {severity: ticket, below: 10%}\nrunbook:",
    )
    rows = {
        line.split(" | ")[0].strip("| "): line.split(" | ")[-1].strip("| ")
        for line in _compile(tmp_path, spec)["shop.md"].splitlines()
        if line.startswith(("| healthy", "| warning", "| critical", "| exhausted"))
    }
    assert rows == {
        "healthy": "none",
        "warning": "none",
        "critical": "SLOErrorBudgetLow (ticket) below 10%",
        "exhausted": "SLOErrorBudgetLow (ticket)",
    }


def test_what_every_slo_section_shares_is_said_once_per_page(bundle: slogen.Bundle) -> None:
    """How to read the burn figures, the policy's colours and what proofs are: said once
    under 'Reading this page', before the SLO sections, which link to it."""
    for name, page in _docs(bundle.files).items():
        if name == INDEX:
            continue
        sections = page.count("\n## SLO: ")
        assert sections >= 1, name
        assert page.count("Firing times are how long after") == 1, name
        assert page.count("The dashboards colour the budget") == 1, name
        assert page.index("## Reading this page") < page.index("\n## SLO: "), name
        # each SLO's policy links to the notes, and so does each table of burn figures
        assert page.count("and the team: see [reading this page](#reading-this-page)") == sections
        burn_tables = page.count("| severity | long/short | burn rate |")
        assert page.count("(see [reading this page](#reading-this-page))") == burn_tables, name


def test_without_burn_alerts_the_page_has_no_burn_figures_to_explain(tmp_path: Path) -> None:
    spec = MINIMAL_SPEC.replace("runbook:", "alerting:\n  burn_rate: []\nrunbook:")
    page = _compile(tmp_path, spec)["shop.md"]
    assert "## Reading this page" in page
    assert "Firing times" not in page
    assert "(see [reading this page](#reading-this-page))" not in page
    assert "and the team: see [reading this page](#reading-this-page)" in page
