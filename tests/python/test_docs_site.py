"""The dbt docs site, as a reader sees it: built from a small lake, served on 127.0.0.1 by `dbt docs
serve` (what `make docs-serve` runs) and opened in headless Chromium with no network.

What the pages must show is read from the site's own manifest.json (the model's description and
columns, its parents), never written here; so the checks follow the models' docs as they change.
Screenshots for reviewers: target/screenshots/docs_*.png of the checkout.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser import chromium_page, screenshot
from conftest import PlainCheckout

pytestmark = pytest.mark.slow

MODEL = "model.stedi.machine_learning_curated"
EXPOSURE = "exposure.stedi.step_detection_model"
SEARCH_TERM = "consent"
# What the site shows in place of a model's description when it has none.
UNDOCUMENTED = "not currently documented"
LOAD_TIMEOUT_MS = 30_000
# The site scrolls inside its own panel, so a screenshot holds one window: one tall enough for the
# model page's description and every column.
TALL = (1400, 1700)


@dataclass(frozen=True)
class Site:
    checkout: PlainCheckout
    target: Path
    manifest: dict

    @property
    def model(self) -> dict:
        return self.manifest["nodes"][MODEL]


@pytest.fixture(scope="module")
def site(plain_checkout: tuple[PlainCheckout, subprocess.CompletedProcess[str]]) -> Site:
    """The docs of the plain checkout's build (conftest.plain_checkout: the project as `make run`
    leaves it, so the catalog has every table's columns and types), made as `make docs` makes
    them and as a newcomer types it: plain `dbt docs generate --static` from the project root."""
    checkout, build = plain_checkout
    assert build.returncode == 0, (build.stdout + build.stderr)[-4000:]
    docs = checkout.dbt("docs", "generate", "--static")
    assert docs.returncode == 0, (docs.stdout + docs.stderr)[-4000:]
    target = checkout.root / "target"
    for name in ("index.html", "manifest.json", "catalog.json", "static_index.html"):
        assert (target / name).is_file(), f"dbt docs generate --static wrote no {name}"
    return Site(checkout, target, json.loads((target / "manifest.json").read_text()))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(site: Site) -> Iterator[str]:
    """`dbt docs serve` of the site's target folder on 127.0.0.1, a free port; its base URL."""
    port = free_port()
    # what `make docs-serve` runs, plain, from the project root
    command = ["dbt", "docs", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-browser"]
    log = site.target.parent / "docs-serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=site.checkout.root, env=site.checkout.env(), stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"dbt docs serve exited: {log.read_text()[-3000:]}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"dbt docs serve not listening: {log.read_text()[-3000:]}"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def words(text: str) -> str:
    """Text as the reader sees it, for comparing markdown with the rendered page: Markdown's code
    and emphasis marks and list bullets dropped, whitespace collapsed."""
    plain = re.sub(r"^\s*- ", "", text, flags=re.MULTILINE)
    return " ".join(plain.replace("`", "").replace("**", "").replace("*", "").split())


def shows_model(page, model: dict) -> None:  # type: ignore[no-untyped-def]
    """The model page shows the model's description and every one of its columns."""
    description = words(model["description"])
    assert description, f"{MODEL} has no description in the manifest: the docs site shows none"
    rendered = page.locator(".model-markdown").first
    rendered.wait_for(timeout=LOAD_TIMEOUT_MS)
    shown = words(rendered.inner_text())
    assert UNDOCUMENTED not in shown
    assert description in shown, f"the page shows {shown[:300]!r}, not the manifest's description"
    columns = list(model["columns"])
    assert columns, f"{MODEL} documents no column"
    shown_columns = [
        name.strip() for name in page.locator("column-details tr.column-row td:first-child").all_inner_texts()
    ]
    assert sorted(shown_columns) == sorted(columns), (
        f"the Columns table lacks {sorted(set(columns) - set(shown_columns))}, "
        f"shows undocumented {sorted(set(shown_columns) - set(columns))}"
    )


def test_model_page_shows_description_and_columns(site: Site, served: str) -> None:
    with chromium_page(TALL) as page:
        page.goto(f"{served}#!/model/{MODEL}")
        shows_model(page, site.model)
        # A column's full description (its unit and sampling) opens under its row.
        column = "x"
        name_cell = page.locator("td:first-child", has_text=re.compile(rf"^\s*{column}\s*$"))
        page.locator("column-details tr.column-row").filter(has=name_cell).first.click()
        expanded = words(page.locator("column-details td.column-expanded:visible").first.inner_text())
        described = words(site.model["columns"][column]["description"]).replace("*", "")
        assert described and described in expanded, f"{column}'s description is not shown: {expanded!r}"
        screenshot(page, "docs_model_machine_learning_curated")
        # The exposure's owner and maturity are on its page.
        exposure = site.manifest["exposures"][EXPOSURE]
        page.goto(f"{served}#!/exposure/{EXPOSURE}")
        details = page.locator("table-details, .detail-group").first
        details.wait_for(timeout=LOAD_TIMEOUT_MS)
        page.get_by_text(exposure["owner"]["email"], exact=False).first.wait_for(timeout=LOAD_TIMEOUT_MS)
        shown = words(page.locator(".app-details").first.inner_text())
        for expected in (exposure["owner"]["name"], exposure["owner"]["email"], exposure["maturity"]):
            assert expected and expected in shown, f"the exposure page does not show {expected!r}"
        screenshot(page, "docs_exposure_step_detection_model")
        assert page.offline_violations == []  # type: ignore[attr-defined]


# The lineage graph is drawn by cytoscape on canvases, so its nodes are no DOM elements: ask the
# graph (the container's cytoscape instance) which nodes lie inside the visible area, and count
# the pixels painted on the node layer (a graph that is laid out but never drawn has none).
GRAPH_STATE = """() => {
  const container = document.getElementById('cy');
  const cy = container && container._cyreg && container._cyreg.cy;
  if (!cy) return {ready: false, nodes: [], painted: 0};
  const box = container.getBoundingClientRect();
  // a hidden graph (its panel closed) draws nothing for the reader, whatever cytoscape holds
  const shown = container.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const nodes = !shown ? [] : cy.nodes().filter(node => {
    if (!node.visible()) return false;
    const b = node.renderedBoundingBox();
    return b.w > 0 && b.h > 0 && b.x2 > 0 && b.y2 > 0 && b.x1 < box.width && b.y1 < box.height;
  }).map(node => node.id());
  const layer = container.querySelector('canvas[data-id="layer2-node"]');
  let painted = 0;
  if (layer && layer.width > 0 && layer.height > 0) {
    const pixels = layer.getContext('2d').getImageData(0, 0, layer.width, layer.height).data;
    for (let alpha = 3; alpha < pixels.length; alpha += 4) if (pixels[alpha] > 0) painted++;
  }
  return {ready: true, nodes, painted};
}"""


def test_lineage_graph_renders_the_models_nodes(site: Site, served: str) -> None:
    with chromium_page() as page:
        page.goto(f"{served}#!/model/{MODEL}")
        page.get_by_title("View Lineage Graph").click(timeout=LOAD_TIMEOUT_MS)
        page.locator('a[title="View Fullscreen"]:visible').first.click()
        with suppress(PlaywrightTimeout):  # the assertions below say what was (not) drawn
            page.wait_for_function(
                f"() => {{ const s = ({GRAPH_STATE})(); return s.nodes.length > 0 && s.painted > 0; }}",
                timeout=LOAD_TIMEOUT_MS,
            )
        page.mouse.move(0, 0)  # no tooltip over the graph in the screenshot
        page.wait_for_timeout(500)  # the layout's animation settles, for the screenshot
        state = page.evaluate(GRAPH_STATE)
        screenshot(page, "docs_lineage_graph")
        assert state["ready"], "the lineage graph (cytoscape in #cy) did not start"
        assert len(state["nodes"]) > 0, "the lineage graph shows no node"
        assert state["painted"] > 0, "the lineage graph's node layer is blank"
        expected = {MODEL, *site.model["depends_on"]["nodes"]}
        assert expected <= set(state["nodes"]), f"missing from the graph: {expected - set(state['nodes'])}"
        assert page.offline_violations == []  # type: ignore[attr-defined]


def test_search_finds_consent(site: Site, served: str) -> None:
    with chromium_page() as page:
        page.goto(f"{served}#!/overview")
        search = page.locator("#search")
        search.wait_for(timeout=LOAD_TIMEOUT_MS)
        search.fill(SEARCH_TERM)
        results = page.locator(".search-result")
        with suppress(PlaywrightTimeout):  # the assertion below says there were none
            results.first.wait_for(timeout=10_000)
        heading = words(page.locator(".app-title h1").first.inner_text())
        screenshot(page, "docs_search_consent")
        assert results.count() > 0, f"searching {SEARCH_TERM!r} lists nothing ({heading!r})"
        count = re.search(r"(\d+) search results", heading)
        assert count and int(count.group(1)) > 0, heading
        names = [words(text) for text in page.locator(".search-result h4").all_inner_texts()]
        assert any(SEARCH_TERM in name for name in names), f"no result named after {SEARCH_TERM!r}: {names}"
        assert page.offline_violations == []  # type: ignore[attr-defined]


def test_static_site_opens_from_a_file(site: Site) -> None:
    """static_index.html, the single file to share, carries manifest and catalog: it opens from
    disk with no server."""
    with chromium_page(TALL) as page:
        page.goto(f"{(site.target / 'static_index.html').as_uri()}#!/model/{MODEL}")
        shows_model(page, site.model)
        screenshot(page, "docs_static_model_machine_learning_curated")
        assert page.offline_violations == []  # type: ignore[attr-defined]
