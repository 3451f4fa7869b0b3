"""Interactive figures that also work without a kernel.

:func:`interact` shows ipywidgets controls in a live notebook. Executed headless
(book build, nbval, nbclient, plain Python) it calls ``fn`` at *every* point of
the grid, so each point is checked, and shows :func:`render_static`'s HTML: one
inline PNG per point and a few lines of inline JavaScript that show the frame
matching the sliders; nothing comes from the network. A grid of :math:`m`
parameters with :math:`n_j` values each has :math:`N = \\prod_j n_j \\le`
``MAX_FRAMES`` points, visited in row-major order (last parameter fastest).
"""

import base64
import gc
import hashlib
import html
import io
import itertools
import json
import math
import numbers
import os
import sys
import time
from collections.abc import Callable, Mapping

import numpy as np

__all__ = ["MAX_FRAMES", "interact", "render_static", "widget_mode"]

MAX_FRAMES = 120  # most grid points one widget may have (keeps pages small)
DPI = 80  # static frames: a 6.4 x 3.6 in figure becomes 512 x 288 px
ENV_VAR = "SLMSURVEY_WIDGETS"  # "live" or "static" overrides the detection
_clock = time.perf_counter  # tests swap in a fake clock

# Shows the <figure> whose data-key is the comma-joined slider positions.
_SCRIPT = """(function () {
  var root = document.getElementById("ROOT_ID");
  var sliders = root.querySelectorAll("input[type=range]");
  var frames = root.querySelectorAll("figure");
  function show() {
    var key = [];
    sliders.forEach(function (s) {
      var labels = JSON.parse(s.getAttribute("data-labels"));
      s.nextElementSibling.textContent = labels[s.value];
      key.push(s.value);
    });
    frames.forEach(function (f) {
      var on = f.getAttribute("data-key") === key.join(",");
      f.style.display = on ? "" : "none";
    });
  }
  sliders.forEach(function (s) { s.addEventListener("input", show); });
  show();
})();"""


def widget_mode() -> str:
    """Whether :func:`interact` shows ``"live"`` widgets or a ``"static"`` page.

    The environment variable ``SLMSURVEY_WIDGETS`` (``live`` or ``static``)
    decides if set. Otherwise the mode is ``live`` inside an IPython kernel
    attached to a real front end (Colab, a Jupyter server, VS Code) when
    ipywidgets imports, and ``static`` everywhere else: book builds, nbval,
    nbclient, plain Python. Book builds had best set ``SLMSURVEY_WIDGETS=static``
    anyway: a build started from a VS Code terminal may inherit ``VSCODE_PID``.

    Examples
    --------
    >>> widget_mode() in {"live", "static"}
    True
    """
    forced = os.environ.get(ENV_VAR)
    if forced is not None:
        if forced not in ("live", "static"):
            msg = f"environment variable {ENV_VAR} must be 'live' or 'static'"
            raise ValueError(f"{msg}, got {forced!r}")
        return forced
    front_end = "google.colab" in sys.modules or any(
        var in os.environ for var in ("JPY_SESSION_NAME", "VSCODE_PID")
    )  # JPY_SESSION_NAME: set by Jupyter servers for the kernels they start
    if not (front_end and _in_kernel()):
        return "static"
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return "static"
    return "live"


def _in_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def _bad(error: type, name: str, what: str) -> Exception:
    return error(f"grid parameter {name!r} {what}")


def _check_values(name: str, raw) -> list:
    """The grid values of one parameter as a list of Python scalars."""
    if isinstance(raw, (str, bytes)):
        raise _bad(TypeError, name, f"is the bare string {raw!r}; write [{raw!r}]")
    if isinstance(raw, np.ndarray):
        if raw.ndim != 1:
            raise _bad(ValueError, name, f"must be 1-D, got shape {raw.shape}")
        raw = raw.tolist()
    elif not isinstance(raw, (list, tuple, range)):
        what = f"must be a list, tuple, range or 1-D array, not {type(raw).__name__}"
        raise _bad(TypeError, name, what)
    values = [v.item() if isinstance(v, np.generic) else v for v in raw]
    if not values:
        raise _bad(ValueError, name, "is empty")
    if not all(isinstance(v, str) for v in values):
        if not all(isinstance(v, numbers.Real) for v in values):
            raise _bad(TypeError, name, f"mixes numbers and other values: {values}")
        if not all(math.isfinite(v) for v in values):
            raise _bad(ValueError, name, f"has NaN or inf: {values}")
    if len(set(values)) != len(values):
        raise _bad(ValueError, name, f"has duplicate values: {values}")
    return values


def _check(fn, grid: dict, start) -> tuple[dict[str, list], dict[str, int]]:
    """Validate the grid; return its values and the start index of each."""
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    if not grid:
        raise ValueError("the grid is empty: pass e.g. order=[1, 2, 3]")
    values = {name: _check_values(name, raw) for name, raw in grid.items()}
    n_points = math.prod(len(v) for v in values.values())
    if n_points > MAX_FRAMES:
        sizes = " x ".join(f"{name} ({len(v)})" for name, v in values.items())
        raise ValueError(f"grid {sizes} has {n_points} points > MAX_FRAMES")
    if not isinstance(start, (Mapping, type(None))):
        raise TypeError(f"start must be a dict, got {type(start).__name__}")
    index = dict.fromkeys(values, 0)
    for name, value in (start or {}).items():
        value = value.item() if isinstance(value, np.generic) else value
        if value not in values.get(name, []):
            raise ValueError(f"start[{name!r}] = {value!r} is not a grid point")
        index[name] = values[name].index(value)
    return values, index


def _describe(point: dict) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in point.items())


def _label(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _call(fn: Callable, point: dict, dpi) -> tuple[bytes, list, float]:
    """Call ``fn(**point)``; return its figure as PNG, its extras, the seconds."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    before = set(plt.get_fignums())
    try:
        with plt.ioff():  # never show a window; we only save figure objects
            # Timed as timeit does: garbage from earlier frames is collected
            # first and the collector is off while fn runs, so one frame is
            # not charged for a pause that the figures before it caused. Only
            # the young generations, where that garbage is: a full collection
            # would scan every object of the kernel (seconds with big models).
            gc.collect(1)
            gc.disable()
            t0 = _clock()
            try:
                result = fn(**point)
            except Exception as err:
                raise RuntimeError(f"fn failed at {_describe(point)}: {err}") from err
            finally:
                gc.enable()
            seconds = _clock() - t0
            new = [num for num in plt.get_fignums() if num not in before]
            if isinstance(result, Figure):
                fig = result
            elif new:
                fig = plt.gcf() if plt.gcf().number in new else plt.figure(new[-1])
            else:
                msg = f"fn drew no figure at {_describe(point)}: draw with pyplot"
                raise RuntimeError(f"{msg} (without plt.show()) or return a Figure")
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=dpi, metadata={"Software": None})
    finally:
        for num in set(plt.get_fignums()) - before:
            plt.close(num)
    return png.getvalue(), _extras(result, point), seconds


def _extras(result, point: dict) -> list:
    """What ``fn`` returned besides its figure: captions and rich objects."""
    from matplotlib.figure import Figure

    items = result if isinstance(result, tuple) else (result,)
    extras = [x for x in items if x is not None and not isinstance(x, Figure)]
    for x in extras:
        if not (isinstance(x, str) or hasattr(x, "_repr_html_")):
            raise RuntimeError(
                f"fn returned a {type(x).__name__} at {_describe(point)}; return a "
                "str caption or an object with _repr_html_ (e.g. IPython's Audio)"
            )
    return extras


def _extras_html(extras: list) -> str:
    return "".join(
        f"<figcaption>{html.escape(x)}</figcaption>"
        if isinstance(x, str)
        else x._repr_html_()
        for x in extras
    )


def _quantize(png: bytes) -> bytes:
    """Re-encode with a 256-colour palette: plots look the same, ~3x smaller."""
    from PIL import Image  # a dependency of matplotlib

    rgb = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    rgb.quantize(256, dither=Image.Dither.NONE).save(out, format="png", optimize=True)
    return out.getvalue()


def render_static(fn: Callable, /, *, start: dict | None = None, **grid) -> str:
    """Evaluate ``fn`` on the whole grid and return a self-contained HTML slider.

    Parameters
    ----------
    fn : callable
        Called as ``fn(**point)`` at every grid point. It draws one matplotlib
        figure (with pyplot, or returns a ``Figure``); a returned ``str`` is
        shown as a caption under the image, and a returned object with
        ``_repr_html_`` (such as :class:`IPython.display.Audio`) is embedded
        under it; return a tuple for several.
    start : dict, optional
        Grid values shown first, e.g. ``{"order": 3}``; by default the first
        value of each parameter.
    **grid : list, tuple, range or 1-D array
        The values of each parameter: numbers (a slider) or strings.

    Returns
    -------
    str
        One ``<input type="range">`` per parameter, one ``<img>`` (PNG data
        URI) per grid point, and inline JavaScript; the root ``<div>`` carries
        ``data-max-callback-ms``, the slowest call of ``fn`` in milliseconds.

    Raises
    ------
    RuntimeError
        If ``fn`` fails, or draws nothing, at some point (named in the message).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> def draw(slope):
    ...     fig, ax = plt.subplots(figsize=(2, 1))
    ...     ax.plot([0, 1], [0, slope])
    ...     return f"slope = {slope}"
    >>> html = render_static(draw, slope=[1, 2])
    >>> html.count("<img"), html.count('type="range"'), "slope = 2" in html
    (2, 1, True)
    """
    values, start_index = _check(fn, grid, start)
    names = list(values)
    start_key = ",".join(str(start_index[name]) for name in names)
    frames, slowest = [], 0.0
    for idx in itertools.product(*(range(len(v)) for v in values.values())):
        point = {name: values[name][i] for name, i in zip(names, idx, strict=True)}
        png, extras, seconds = _call(fn, point, DPI)
        slowest = max(slowest, seconds)
        frames.append((",".join(map(str, idx)), _describe(point), png, extras))
    root = "slmw-" + hashlib.sha256(repr((values, frames)).encode()).hexdigest()[:12]

    esc, ms = html.escape, round(slowest * 1000)
    parts = [f'<div class="slmsurvey-widget" id="{root}" data-max-callback-ms="{ms}">']
    for name in names:
        labels = [_label(v) for v in values[name]]
        i = start_index[name]
        parts.append(
            f'<div><label>{esc(name)} <input type="range" min="0"'
            f' max="{len(labels) - 1}" step="1" value="{i}"'
            f' data-labels="{esc(json.dumps(labels))}"> <output>{esc(labels[i])}'
            "</output></label></div>"
        )
    for key, alt, png, extras in frames:
        hide = "" if key == start_key else ";display:none"
        data = base64.b64encode(_quantize(png)).decode("ascii")
        cap = _extras_html(extras)
        parts.append(
            f'<figure data-key="{key}" style="margin:0{hide}"><img alt="{esc(alt)}"'
            f' src="data:image/png;base64,{data}" style="max-width:100%">{cap}</figure>'
        )
    parts += ["<script>", _SCRIPT.replace("ROOT_ID", root), "</script>", "</div>"]
    return "\n".join(parts)


def interact(fn: Callable, /, *, start: dict | None = None, **grid) -> None:
    """Show ``fn`` with one control per grid parameter, live or static.

    In ``live`` mode (see :func:`widget_mode`) numeric grids become
    ``SelectionSlider``s over exactly the grid values and string grids
    ``ToggleButtons`` (up to 4 choices) or a ``Dropdown``; each change redraws
    ``fn``. In ``static`` mode it displays :func:`render_static`'s HTML. The
    parameters are those of :func:`render_static` (so ``fn`` cannot have a
    grid parameter named ``start``); ``fn`` should not call ``plt.show()``.

    Returns
    -------
    None
        Nothing, so that a cell ending in ``interact(...)`` shows it once.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> def draw(order, smoothing):
    ...     plt.figure(figsize=(2, 1)).gca().set_title(f"{smoothing} {order}")
    >>> widget_mode()  # in a plain Python process
    'static'
    >>> interact(draw, order=[1, 2, 3], smoothing=["mle", "add-one"])
    <IPython.core.display.HTML object>
    """
    from IPython.display import HTML, Image, display

    if widget_mode() == "static":
        display(HTML(render_static(fn, start=start, **grid)))
        return None

    import ipywidgets

    values, start_index = _check(fn, grid, start)

    def show(**point):
        png, extras, _ = _call(fn, point, "figure")
        display(Image(data=png, format="png"))
        for x in extras:
            display(HTML(f"<p>{html.escape(x)}</p>") if isinstance(x, str) else x)

    controls = {}
    for name, vals in values.items():
        kw = dict(value=vals[start_index[name]], description=name)
        if isinstance(vals[0], str):
            kind = ipywidgets.ToggleButtons if len(vals) <= 4 else ipywidgets.Dropdown
            controls[name] = kind(options=vals, **kw)
        else:  # exactly the grid values, redrawn when the slider is released
            options = [(_label(v), v) for v in vals]
            kw.update(options=options, continuous_update=False)
            controls[name] = ipywidgets.SelectionSlider(**kw)
        controls[name].style.description_width = "initial"
    out = ipywidgets.interactive_output(show, controls)
    display(ipywidgets.VBox([*controls.values(), out]))
    return None
