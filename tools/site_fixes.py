"""A Sphinx extension for the book's website (listed in _config.yml).

- Each script tag once: sphinx-thebe registers its inline configuration
  twice under Jupyter Book 1, and the second ``const THEBE_JS_URL``
  is a JavaScript error on every page.
- A light default colour mode: without one, pydata-sphinx-theme reports
  "invalid theme mode" in the console, and the figures are drawn for a
  white page anyway.
"""

from __future__ import annotations


def _once(app, pagename, templatename, context, doctree) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        name = getattr(script, "filename", script) or ""  # None or "": inline
        key = (str(name), tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique
    if not context.get("default_mode"):
        context["default_mode"] = "light"


def setup(app):
    app.connect("html-page-context", _once)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
