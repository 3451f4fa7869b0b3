"""The built website in a real browser: Playwright driving Debian's Chromium.

Every page of the table of contents is served from ``_build/html`` on
localhost and opened with every request to another host blocked and
recorded, so the site is checked as it works offline. Screenshots of each
page go to ``_build/screenshots/`` for review.

Chromium is ``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run``
installs it) or ``$SLMSURVEY_CHROMIUM``. Without it these tests skip, unless
``SLMSURVEY_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
"""

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    return files


PAGES = [f + ".html" for f in _toc_files()]
CHAPTERS = [p for p in PAGES if p.startswith("notebooks/")]


def _chromium() -> str | None:
    path = os.environ.get("SLMSURVEY_CHROMIUM") or shutil.which("chromium")
    return path if path and Path(path).exists() else None


def _serve(directory: Path):
    """Serve ``directory`` on an ephemeral localhost port; yield its URL."""
    assert (directory).exists(), f"{directory} missing: make book slides"
    handler = functools.partial(Handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def site():
    yield from _serve(HTML)


@pytest.fixture(scope="module")
def slides():
    yield from _serve(ROOT / "_build" / "slides")


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        if os.environ.get("SLMSURVEY_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium not found: apt-get install chromium")
        pytest.skip("Chromium not found (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


class Visit:
    """One page opened offline: its console errors and off-site requests."""

    def __init__(self, browser, url: str):
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on(
            "console",
            lambda m: m.type == "error" and self.errors.append(m.text),
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url, wait_until="load")

    def _route(self, route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith("data:") or host == "127.0.0.1":
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site):
    opened = []

    def open_page(path: str, base: str = site) -> Visit:
        opened.append(Visit(browser, base + path))
        return opened[-1]

    yield open_page
    for v in opened:
        v.close()


def _typeset(page) -> None:
    """Wait until MathJax has typeset the page (if it has any mathematics)."""
    if page.locator(".math").count():
        page.wait_for_function("() => window.MathJax?.startup?.promise")
        page.evaluate("() => MathJax.startup.promise")


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_typeset_without_errors(visit, path):
    v = visit(path)
    n_math = v.page.locator(".math").count()
    _typeset(v.page)
    assert v.page.locator(".math mjx-container").count() == n_math, "untypeset"
    assert v.page.locator("mjx-merror").count() == 0, "a TeX error"
    SHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=SHOTS / (path.replace("/", "__") + ".png"), full_page=True)
    assert v.foreign == [], "requests to other hosts"
    assert v.errors == [], "console errors"


@pytest.mark.parametrize("path", CHAPTERS)
def test_every_slider_changes_its_frame(visit, path):
    v = visit(path)
    sliders = v.page.locator(".slmsurvey-widget input[type=range]")
    assert sliders.count() > 0
    for i in range(sliders.count()):
        slider = sliders.nth(i)
        widget = slider.locator("xpath=ancestor::div[@class='slmsurvey-widget']")
        shown = widget.locator("figure:visible")
        before = shown.get_attribute("data-key")
        at_max = slider.input_value() == slider.get_attribute("max")
        slider.focus()
        v.page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        assert shown.count() == 1
        assert shown.get_attribute("data-key") != before
        assert shown.locator("img").evaluate("img => img.naturalWidth") > 0


@pytest.mark.parametrize("path", CHAPTERS)
def test_audio_players_have_a_playable_source(visit, path):
    v = visit(path)
    players = v.page.locator("audio")
    if players.count() == 0:
        pytest.skip("no audio on this page")
    durations = players.evaluate_all(
        """els => Promise.all(els.map(a => a.readyState >= 1 ? a.duration :
            new Promise(ok => { a.onloadedmetadata = () => ok(a.duration);
                                a.onerror = () => ok(0); a.load(); })))"""
    )
    assert all(d > 0 for d in durations), durations


def test_search_finds_perplexity(visit):
    v = visit("search.html?q=perplexity")
    results = v.page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=15_000)
    assert results.count() >= 2
    assert v.errors == []


@pytest.mark.parametrize("path", CHAPTERS)
def test_launch_buttons_open_this_notebook(visit, path):
    v = visit(path)
    repo = urlsplit(CONFIG["repository"]["url"]).path.strip("/")
    branch = CONFIG["repository"]["branch"]
    notebook = path.removesuffix(".html") + ".ipynb"
    links = v.page.locator("a").evaluate_all("as => as.map(a => a.href)")
    binder = [u for u in links if "mybinder.org" in u]
    colab = [u for u in links if "colab.research.google.com" in u]
    assert binder and colab
    assert binder[0].startswith(f"https://mybinder.org/v2/gh/{repo}/{branch}?")
    assert quote(notebook, safe="") in binder[0] or notebook in binder[0]
    assert colab[0] == (
        f"https://colab.research.google.com/github/{repo}/blob/{branch}/{notebook}"
    )


@pytest.mark.parametrize("path", PAGES[:3] + CHAPTERS[:1])
def test_issue_link_names_the_page(visit, path):
    v = visit(path)
    links = v.page.locator("a").evaluate_all("as => as.map(a => a.href)")
    issue = [u for u in links if "/issues/new" in u]
    assert issue, "no 'open an issue' link"
    assert quote(path, safe="") in issue[0] or path in issue[0]


@pytest.mark.parametrize("path", CHAPTERS)
def test_slides_present_offline(visit, slides, path):
    deck = Path(path).stem + ".slides.html"
    v = visit(deck, slides)
    v.page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    v.page.evaluate("() => MathJax.startup.promise")
    assert v.page.evaluate("() => Reveal.getTotalSlides()") >= 5
    assert v.page.locator("mjx-container").count() > 0
    v.page.evaluate("() => Reveal.slide(1)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=SHOTS / ("slides__" + deck + ".png"))
    assert v.foreign == [], "requests to other hosts"
    assert v.errors == [], "console errors"
