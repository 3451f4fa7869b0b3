"""The book's own prose as a natural-language corpus.

Nothing is downloaded: the corpus is read from the MyST markdown pages under
``book/`` and the markdown cells of the notebooks under ``notebooks/`` of a
checkout of the repository, with the markup stripped away.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from slmsurvey.text.tokenize import split_sentences, word_tokenize

__all__ = ["PROSE_DIRECTIVES", "book_sentences", "book_text", "markdown_to_prose"]

# Directives whose body is prose (admonitions, exercises, layout containers).
PROSE_DIRECTIVES = frozenset(
    "note tip important hint seealso attention caution warning danger error "
    "admonition exercise solution dropdown topic sidebar margin epigraph "
    "pull-quote highlights card tab-item".split()
)
# Of those, the ones whose argument is a title (kept as its own paragraph);
# e.g. the argument of ``solution`` is a label and is dropped.
_TITLED_DIRECTIVES = frozenset(
    "admonition exercise dropdown topic sidebar card".split()
)

_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*(.*?)\s*$")
_DIRECTIVE_RE = re.compile(r"^\{([\w:+.-]+)\}\s*(.*)$")
_OPTION_RE = re.compile(r"^\s*:[\w-]+:")
_QUOTE_RE = re.compile(r"^\s*(?:>\s?)+")
_HEADING_RE = re.compile(r"^\s*#{1,6}(?:\s+|$)")
_LIST_RE = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+")
_DROP_LINE_RE = re.compile(
    r"^\s*(?:\|.*"  # table row
    r"|\(.+\)=\s*"  # MyST target "(label)="
    r"|%.*"  # MyST comment
    r"|\+\+\+.*"  # block break
    r"|(?:[-*_]\s*){3,}"  # thematic break
    r"|=+"  # setext heading underline
    r"|\[[^\]]+\]:\s.*"  # link definition
    r")$"
)
_URL = r"\((?:[^()]|\([^()]*\))*\)"  # "(url)", allowing one level of parentheses
_INLINE_RE = [  # (pattern, replacement), applied in order to each paragraph
    (re.compile(r"\{[\w:+.-]+\}`[^`]*`"), ""),  # roles: {cite}`k`, {eq}`l`, ...
    (re.compile(r"(?<![\\$])\$(?![\s$])[^$]*?(?<![\s\\])\$(?!\d)"), ""),  # $x$
    (re.compile(rf"!\[[^\]]*\]{_URL}"), ""),  # images
    (re.compile(rf"\[([^\]]*)\]{_URL}"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]^]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"\[\^[^\]]*\]"), ""),  # footnote references
    (re.compile(r"</?[A-Za-z][^<>]*>"), ""),  # HTML tags and autolinks
    (re.compile(r"\{\{[^}]*\}\}"), ""),  # substitutions
    (re.compile(r"\*+|(?<!\w)_+|_+(?!\w)"), ""),  # emphasis markers
    (re.compile(r"\(\s*\)|\[\s*\]"), ""),  # brackets emptied by the above
    (re.compile(r"\s+"), " "),
    (re.compile(r" ([.,;:!?)\]])"), r"\1"),  # space left before punctuation
]
_CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1")
_ESCAPED_DOLLAR = "\x00D\x00"


def _default_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _strip_front_matter(text: str) -> str:
    match = re.match(r"---[ \t]*\n.*?\n---[ \t]*(?:\n|$)", text, flags=re.DOTALL)
    return text[match.end() :] if match else text


def _fence_close(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the fence opened at ``start`` (or len(lines))."""
    closing = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    for k in range(start + 1, len(lines)):
        if closing.match(lines[k]):
            return k
    return len(lines)


def _directive_body(body: list[str]) -> list[str]:
    """Drop a directive's ``:option:`` lines or leading ``---`` YAML option block."""
    k = 0
    while k < len(body) and not body[k].strip():
        k += 1
    if k < len(body) and body[k].strip() == "---":
        end = next((m for m in range(k + 1, len(body)) if body[m].strip() == "---"), k)
        body = body[end + 1 :]
    else:
        while k < len(body) and _OPTION_RE.match(body[k]):
            k += 1
        body = body[k:]
    return body


def _unfence(lines: list[str]) -> list[str]:
    """Keep the lines outside fences, and the bodies of prose directives."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _FENCE_RE.match(lines[i])
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        fence, info = match.groups()
        end = _fence_close(lines, i, fence)
        directive = _DIRECTIVE_RE.match(info)
        if directive and directive.group(1) in PROSE_DIRECTIVES:
            name, argument = directive.groups()
            out.append("")
            if argument and name in _TITLED_DIRECTIVES:
                out += [argument, ""]
            out += _unfence(_directive_body(lines[i + 1 : end]))
            out.append("")
        # any other fence (code, math, figure, table, toctree, ...) is dropped
        i = end + 1
    return out


def _paragraphs(lines: list[str]) -> list[str]:
    """Group lines into paragraphs; headings and list items start new ones."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        line = _QUOTE_RE.sub("", line)
        if not line.strip() or _DROP_LINE_RE.match(line):
            if current:
                paragraphs.append(current)
            current = []
            continue
        starts_block = _HEADING_RE.match(line) or _LIST_RE.match(line)
        if starts_block:
            if current:
                paragraphs.append(current)
            current = []
            line = line[starts_block.end() :]
        current.append(line.strip())
    if current:
        paragraphs.append(current)
    return [" ".join(p) for p in paragraphs]


def _clean_inline(paragraph: str) -> str:
    """Strip inline markup from one paragraph."""
    codes: list[str] = []

    def protect(match: re.Match[str]) -> str:
        codes.append(match.group(2).strip())
        return f"\x00{len(codes) - 1}\x00"

    paragraph = _INLINE_RE[0][0].sub("", paragraph)  # roles before code spans
    paragraph = _CODE_SPAN_RE.sub(protect, paragraph)
    for pattern, replacement in _INLINE_RE[1:]:
        paragraph = pattern.sub(replacement, paragraph)
    paragraph = re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], paragraph)
    return paragraph.replace(_ESCAPED_DOLLAR, "$").strip()


def markdown_to_prose(text: str) -> str:
    """Strip MyST markup from a markdown document, keeping its prose.

    Parameters
    ----------
    text : str
        MyST markdown (a page, or the source of one notebook cell).

    Returns
    -------
    str
        Paragraphs of plain text separated by blank lines.

    Examples
    --------
    >>> src = "# Title\\n\\nSee **CTC** {cite}`graves2006` and $x_t$.\\n"
    >>> markdown_to_prose(src)
    'Title\\n\\nSee CTC and.'
    """
    text = _strip_front_matter(text.replace("\r\n", "\n"))
    text = text.replace("\\$", _ESCAPED_DOLLAR)
    lines = _unfence(text.split("\n"))
    text = "\n".join(lines)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    text = re.sub(r"\$\$.*?\$\$", "\n", text, flags=re.DOTALL)  # display math
    paragraphs = (_clean_inline(p) for p in _paragraphs(text.split("\n")))
    return "\n\n".join(p for p in paragraphs if p)


def _sources(root: Path) -> list[Path]:
    paths = [*(root / "book").rglob("*.md"), *(root / "notebooks").rglob("*.ipynb")]
    return sorted(
        p
        for p in paths
        if not any(
            part.startswith(".") or part == "_build"
            for part in p.relative_to(root).parts
        )
    )


def _notebook_markdown(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            cells.append(source if isinstance(source, str) else "".join(source))
    return cells


def book_text(root: str | os.PathLike[str] | None = None) -> str:
    """Return the prose of the book: its pages and notebook markdown cells.

    Reads, in sorted path order, ``root/book/**/*.md`` and the markdown cells of
    ``root/notebooks/**/*.ipynb`` (skipping hidden folders such as
    ``.ipynb_checkpoints``, and ``_build``) and strips the markup:

    - YAML front matter, fenced code blocks, HTML comments and tags;
    - MyST directives, except the body of prose directives (admonitions such
      as ``note``/``tip``/``important``, ``exercise``, ``solution``, ...; see
      ``PROSE_DIRECTIVES``), whose ``:option:`` lines are dropped and whose
      title is kept for ``admonition``/``exercise``/``dropdown``/...;
    - ``$...$`` and ``$$...$$`` math (an escaped ``\\$`` stays a dollar sign);
    - roles such as ``{cite}`key```, ``{eq}`label```, ``{doc}`page``` and
      ``{glue:text}`x```, dropped entirely;
    - links ``[text](url)`` become ``text``; images are dropped; inline code
      keeps its text without the backticks;
    - emphasis markers, heading hashes, list and blockquote markers, table
      rows, MyST targets ``(label)=``, comments ``%`` and block breaks ``+++``.

    Parameters
    ----------
    root : str or path-like, optional
        A checkout of the repository. Default: the one this package lives in.

    Returns
    -------
    str
        Paragraphs of plain text separated by blank lines; headings and list
        items are paragraphs of their own.

    Raises
    ------
    FileNotFoundError
        If ``root/book`` does not exist (an installed package has no book).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "book").mkdir()
    >>> page = root / "book" / "intro.md"
    >>> _ = page.write_text("# Intro\\n\\nSpeech *is* sound.\\n")
    >>> book_text(root)
    'Intro\\n\\nSpeech is sound.'
    """
    if root is None:
        root = _default_root()
    elif not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a str or path-like, got {type(root).__name__}")
    root = Path(root)
    if not (root / "book").is_dir():
        raise FileNotFoundError(
            f"no book/ folder in {root} (looked for {root / 'book'}): the corpus "
            "needs a checkout of the repository (git clone), not just the "
            "installed package; pass root= to point at one"
        )
    documents = []
    for path in _sources(root):
        if path.suffix == ".md":
            documents.append(markdown_to_prose(path.read_text(encoding="utf-8")))
        else:
            documents += [markdown_to_prose(c) for c in _notebook_markdown(path)]
    return "\n\n".join(d for d in documents if d)


def book_sentences(
    root: str | os.PathLike[str] | None = None, *, lower: bool = True
) -> list[list[str]]:
    """Return the book's prose as tokenised sentences.

    Each paragraph of :func:`book_text` is split with
    :func:`~slmsurvey.text.tokenize.split_sentences` and each sentence is
    tokenised with :func:`~slmsurvey.text.tokenize.word_tokenize`; sentences
    with no tokens are dropped.

    Parameters
    ----------
    root : str or path-like, optional
        A checkout of the repository. Default: the one this package lives in.
    lower : bool, default True
        Lower-case the tokens.

    Returns
    -------
    list of list of str
        One token list per sentence.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "book").mkdir()
    >>> _ = (root / "book" / "a.md").write_text("# Intro\\n\\nHi there. It works!\\n")
    >>> book_sentences(root)
    [['intro'], ['hi', 'there', '.'], ['it', 'works', '!']]
    """
    sentences = []
    for paragraph in book_text(root).split("\n\n"):
        for sentence in split_sentences(paragraph):
            tokens = word_tokenize(sentence, lower=lower)
            if tokens:
                sentences.append(tokens)
    return sentences
