"""Tests for slmsurvey.widgets: the static HTML slider, its JavaScript, live mode."""

from __future__ import annotations

import base64
import gc
import itertools
import json
import re
import shutil
import struct
import subprocess
import sys
import types
from html.parser import HTMLParser

import IPython.display
import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from slmsurvey import widgets
from slmsurvey.widgets import MAX_FRAMES, interact, render_static, widget_mode

ORDERS, SMOOTHINGS = [1, 2, 3], ("mle", "add-one")


class Page(HTMLParser):
    """The tags (with attributes) and the script text of a rendered widget."""

    def __init__(self, html: str):
        super().__init__()
        self.tags, self.script, self._in_script = [], "", False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script += data

    def all(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.tags if tag == name]


def draw(order, smoothing="mle"):
    """A tiny figure (2 x 1 in) drawn with pyplot; returns a caption."""
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot(np.arange(4) ** order)
    ax.set_title(smoothing)
    return f"{smoothing}, order {order}"


@pytest.fixture
def clock(monkeypatch):
    """A fake clock that only a test's fn advances (now[0] is in seconds)."""
    now = [0.0]
    monkeypatch.setattr(widgets, "_clock", lambda: now[0])
    return now


def test_every_grid_point_is_called_once_in_row_major_order():
    calls = []

    def fn(order, smoothing):
        calls.append((order, smoothing))
        return draw(order, smoothing)

    render_static(fn, order=ORDERS, smoothing=SMOOTHINGS)
    assert calls == list(itertools.product(ORDERS, SMOOTHINGS))


def test_html_has_one_image_per_point_and_one_slider_per_parameter():
    html = render_static(draw, order=ORDERS, smoothing=SMOOTHINGS)
    page = Page(html)
    assert html.count("<img") == len(page.all("img")) == 6
    sliders = page.all("input")
    assert [s["type"] for s in sliders] == ["range", "range"]
    assert [json.loads(s["data-labels"]) for s in sliders] == [
        ["1", "2", "3"],
        ["mle", "add-one"],
    ]
    for forbidden in ("http://", "https://", 'src="//'):
        assert forbidden not in html
    assert len(page.all("script")) == 1 and "src" not in page.all("script")[0]
    # every frame is a PNG data URI at the module's modest dpi: 2 x 1 in
    for img in page.all("img"):
        prefix = "data:image/png;base64,"
        assert img["src"].startswith(prefix)
        png = base64.b64decode(img["src"][len(prefix) :])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (2 * widgets.DPI, widgets.DPI)


def test_frame_keys_match_points_and_only_the_start_frame_is_visible():
    html = render_static(draw, start={"order": 2}, order=ORDERS, smoothing=SMOOTHINGS)
    page = Page(html)
    figures, imgs = page.all("figure"), page.all("img")
    expected = itertools.product(enumerate(ORDERS), enumerate(SMOOTHINGS))
    for fig, img, ((i, order), (j, smoothing)) in zip(
        figures, imgs, expected, strict=True
    ):
        assert fig["data-key"] == f"{i},{j}"
        assert img["alt"] == f"order={order}, smoothing={smoothing!r}"
        assert ("display:none" in fig["style"]) == (fig["data-key"] != "1,0")
    assert [s["value"] for s in page.all("input")] == ["1", "0"]
    assert "<output>2</output>" in html


def test_captions_are_escaped_and_returned_figures_are_used():
    def fn(kind):
        fig = Figure(figsize=(2, 1))  # not managed by pyplot
        fig.add_subplot().plot([0, 1])
        return fig if kind == "figure" else "<b>& caption</b>"

    def caption_only(kind):
        plt.figure(figsize=(2, 1))
        return fn(kind)

    assert "<figcaption>" not in render_static(fn, kind=["figure"])
    html = render_static(caption_only, kind=["caption"])
    assert "<figcaption>&lt;b&gt;&amp; caption&lt;/b&gt;</figcaption>" in html


def test_figures_created_by_fn_are_closed_and_others_kept():
    keep = plt.figure()
    try:
        before = plt.get_fignums()
        render_static(draw, order=ORDERS)
        assert plt.get_fignums() == before
        with pytest.raises(RuntimeError):
            render_static(lambda order: plt.figure() and 1 / 0, order=[1])
        assert plt.get_fignums() == before
    finally:
        plt.close(keep)


def test_output_is_deterministic_and_reports_the_slowest_call(clock):
    def fn(order, smoothing):
        clock[0] += 0.0312 if (order, smoothing) == (2, "mle") else 0.001
        return draw(order, smoothing)

    first = render_static(fn, order=ORDERS, smoothing=SMOOTHINGS)
    assert first == render_static(fn, order=ORDERS, smoothing=SMOOTHINGS)
    root = Page(first).all("div")[0]
    assert root["data-max-callback-ms"] == "31"
    assert re.fullmatch(r"slmw-[0-9a-f]{12}", root["id"])
    other = Page(render_static(fn, order=ORDERS[:2], smoothing=SMOOTHINGS))
    assert other.all("div")[0]["id"] != root["id"]


def test_real_clock_changes_only_the_timing_attribute():
    def strip(html):
        return re.sub(r'data-max-callback-ms="\d+"', "", html)

    grid = dict(order=np.array([1, 2]), smoothing=["mle"])
    assert strip(render_static(draw, **grid)) == strip(render_static(draw, **grid))


def test_failing_fn_names_the_grid_point():
    def fn(order, smoothing):
        if order == 3 and smoothing == "mle":
            raise ZeroDivisionError("boom")
        return draw(order, smoothing)

    with pytest.raises(RuntimeError, match=r"order=3, smoothing='mle'") as info:
        render_static(fn, order=ORDERS, smoothing=SMOOTHINGS)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_fn_that_draws_nothing_is_an_error():
    with pytest.raises(RuntimeError, match="drew no figure at order=2"):
        render_static(lambda order: None, order=[2])


@pytest.mark.parametrize(
    "grid, error, match",
    [
        ({}, ValueError, "grid is empty"),
        ({"order": []}, ValueError, "'order' is empty"),
        ({"order": np.array([])}, ValueError, "'order' is empty"),
        ({"smoothing": "mle"}, TypeError, "'smoothing' is the bare string"),
        ({"order": 3}, TypeError, "'order' must be a list"),
        ({"order": {1, 2}}, TypeError, "'order' must be a list"),
        ({"order": np.ones((2, 2))}, ValueError, "'order' must be 1-D"),
        ({"order": [1, "2"]}, TypeError, "'order' mixes numbers"),
        ({"order": [1, None]}, TypeError, "'order' mixes numbers"),
        ({"order": [1.0, float("nan")]}, ValueError, "'order' has NaN"),
        ({"order": np.array([0.5, np.inf])}, ValueError, "'order' has NaN or inf"),
        ({"order": [1, 2, 1.0]}, ValueError, "'order' has duplicate"),
        ({"smoothing": ["mle", "mle"]}, ValueError, "'smoothing' has duplicate"),
        ({"order": range(11), "smoothing": list("abcdefghijk")}, ValueError, "121"),
        ({"ordr": [1]}, RuntimeError, "fn failed at ordr=1"),
        ({"order": [1], "start": {"order": 2}}, ValueError, r"start\['order'\] = 2"),
        ({"order": [1], "start": {"n": 1}}, ValueError, r"start\['n'\]"),
        ({"order": [1], "start": [1]}, TypeError, "start must be a dict"),
    ],
)
def test_bad_grids_raise_naming_the_parameter(grid, error, match):
    calls = []
    with pytest.raises(error, match=match):
        render_static(lambda order=1, smoothing="mle": calls.append(1), **grid)
    assert calls == []  # rejected before fn could run


def test_the_largest_allowed_grid_and_numpy_values_are_accepted():
    assert MAX_FRAMES == 120
    widgets._check(draw, {"order": range(12), "smoothing": list("abcdefghij")}, None)
    values, start = widgets._check(
        draw, {"order": np.linspace(0, 1, 3)}, {"order": np.float64(0.5)}
    )
    assert values == {"order": [0.0, 0.5, 1.0]} and start == {"order": 1}
    assert type(values["order"][0]) is float  # numpy scalars become Python floats


def test_widget_mode_honours_the_environment_variable(monkeypatch):
    for mode in ("live", "static"):
        monkeypatch.setenv("SLMSURVEY_WIDGETS", mode)
        assert widget_mode() == mode
    monkeypatch.setenv("SLMSURVEY_WIDGETS", "yes")
    with pytest.raises(ValueError, match="SLMSURVEY_WIDGETS"):
        widget_mode()


def test_widget_mode_detects_a_front_end_kernel(monkeypatch):
    monkeypatch.delenv("SLMSURVEY_WIDGETS", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("VSCODE_PID", raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert widget_mode() == "static"  # a plain test process
    monkeypatch.setenv("VSCODE_PID", "1")
    assert widget_mode() == "static"  # front end in the environment, no kernel
    monkeypatch.setattr(widgets, "_in_kernel", lambda: True)
    assert widget_mode() == "live"
    monkeypatch.delenv("VSCODE_PID")
    assert widget_mode() == "static"  # kernel without a front end: nbclient
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/me/ngram.ipynb")
    assert widget_mode() == "live"
    monkeypatch.delenv("JPY_SESSION_NAME")
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert widget_mode() == "live"


@pytest.fixture
def shown(monkeypatch):
    """Everything passed to IPython.display.display."""
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs: shown.extend(objs))
    return shown


def test_interact_static_displays_the_html(monkeypatch, shown, clock):
    monkeypatch.setenv("SLMSURVEY_WIDGETS", "static")
    assert interact(draw, start={"order": 3}, order=ORDERS) is None
    [html] = shown
    assert isinstance(html, IPython.display.HTML)
    assert html.data == render_static(draw, start={"order": 3}, order=ORDERS)


def test_interact_live_builds_controls_over_exactly_the_grid(monkeypatch, shown):
    monkeypatch.setenv("SLMSURVEY_WIDGETS", "live")
    calls = []

    def fn(order, smoothing, lm):
        calls.append((order, smoothing, lm))
        return draw(order, smoothing)

    lms = ["uni", "bi", "tri", "four", "five"]
    grid = dict(order=np.array([1, 2, 4]), smoothing=SMOOTHINGS, lm=lms)
    assert interact(fn, start={"smoothing": "add-one"}, **grid) is None
    [box] = [obj for obj in shown if isinstance(obj, ipywidgets.VBox)]
    slider, buttons, dropdown, out = box.children
    assert isinstance(slider, ipywidgets.SelectionSlider)
    assert slider.options == (("1", 1), ("2", 2), ("4", 4)) and slider.value == 1
    assert not slider.continuous_update  # redraw on release, not on every step
    assert isinstance(buttons, ipywidgets.ToggleButtons)
    assert buttons.options == SMOOTHINGS and buttons.value == "add-one"
    assert isinstance(dropdown, ipywidgets.Dropdown) and dropdown.options == tuple(lms)
    assert isinstance(out, ipywidgets.Output)
    assert calls == [(1, "add-one", "uni")]  # only the start point, drawn at once
    slider.value = 4
    assert calls[-1] == (4, "add-one", "uni")
    images = [obj for obj in shown if isinstance(obj, IPython.display.Image)]
    captions = [obj.data for obj in shown if isinstance(obj, IPython.display.HTML)]
    assert len(images) == 2 and captions[-1] == "<p>add-one, order 4</p>"


NODE_HARNESS = """
const spec = %s;
function element(attrs) {
  return { attrs: attrs, style: {}, getAttribute(n) { return this.attrs[n]; } };
}
const sliders = spec.inputs.map(function (attrs) {
  const s = element(attrs);
  s.value = attrs.value;
  s.nextElementSibling = { textContent: "" };
  s.listeners = [];
  s.addEventListener = function (type, f) { this.listeners.push([type, f]); };
  return s;
});
const frames = spec.figures.map(element);
const root = {
  querySelectorAll(sel) {
    if (sel === "input[type=range]") return sliders;
    if (sel === "figure") return frames;
    throw new Error("unexpected selector " + sel);
  },
};
globalThis.document = { getElementById: (id) => (id === spec.id ? root : null) };
function state() {
  return {
    visible: frames
      .filter((f) => f.style.display !== "none")
      .map((f) => f.attrs["data-key"]),
    labels: sliders.map((s) => s.nextElementSibling.textContent),
  };
}
eval(spec.script);
const states = [state()];
for (const [i, value] of spec.moves) {
  sliders[i].value = String(value);
  for (const [type, f] of sliders[i].listeners) if (type === "input") f({ type: type });
  states.push(state());
}
console.log(JSON.stringify(states));
"""


def test_inline_javascript_shows_the_frame_of_the_sliders(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH")
    grid = dict(order=ORDERS, smoothing=SMOOTHINGS)
    page = Page(render_static(draw, start={"smoothing": "add-one"}, **grid))
    spec = {
        "id": page.all("div")[0]["id"],
        "inputs": page.all("input"),
        "figures": page.all("figure"),
        "script": page.script,
        "moves": [[0, 2], [1, 0], [0, 0]],
    }
    harness = tmp_path / "harness.js"
    harness.write_text(NODE_HARNESS % json.dumps(spec))
    run = subprocess.run(
        [node, str(harness)], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(run.stdout) == [
        {"visible": ["0,1"], "labels": ["1", "add-one"]},
        {"visible": ["2,1"], "labels": ["3", "add-one"]},
        {"visible": ["2,0"], "labels": ["3", "mle"]},
        {"visible": ["0,0"], "labels": ["1", "mle"]},
    ]


def test_audio_and_captions_returned_with_the_figure_are_embedded():
    def speak(pitch):
        plt.figure(figsize=(1, 1))
        tone = np.sin(2 * np.pi * pitch * np.arange(800) / 8000)
        return f"pitch {pitch}", IPython.display.Audio(tone, rate=8000)

    html = render_static(speak, pitch=[200, 400])
    assert html.count("<audio") == 2
    assert html.count('src="data:audio/wav;base64,') == 2
    assert "pitch 400" in html


def test_fn_returning_something_unshowable_is_an_error():
    def bad(x):
        plt.figure(figsize=(1, 1))
        return 42

    with pytest.raises(RuntimeError, match="returned a int at x=1"):
        render_static(bad, x=[1])


def test_collector_is_enabled_after_rendering_even_on_error():
    def draw(k):
        plt.plot([0, k])
        if k == 2:
            raise ValueError("boom")

    render_static(draw, k=[0, 1])
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="boom"):
        render_static(draw, k=[1, 2])
    assert gc.isenabled()
