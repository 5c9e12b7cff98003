"""Names from uploads (class, dataset, run and image file names) as plain text.

A name is data, yet both places the app draws text read markup in it: plotly renders a subset
of HTML (`<a href>` links, `<b>`, `<br>`, `<span style>`) in every text it draws, and
Streamlit's markdown makes links, images, colours, icons and math. These functions make a name
show as exactly what was typed, never as markup.
"""

from __future__ import annotations

import html
import re
import string

# Streamlit's markdown: any ASCII punctuation may be backslash-escaped (CommonMark), and each
# of them starts some construct (links, emphasis, `&amp;`, `:red[...]`, `$math$`, tables...).
# Not escaped: punctuation that starts nothing in the middle of a line, so that a plain file
# name reads as itself in the source too ("broken.zip"). A "1." at the very start would start
# a list: `_LIST_START` escapes that one.
_INERT = ".,;?'\"%"
_PUNCTUATION = re.compile(
    f"([{re.escape(''.join(sorted(set(string.punctuation) - set(_INERT))))}])"
)
_LIST_START = re.compile(r"^(\s*\d+)\.")
_LINE_BREAKS = re.compile(r"[\r\n]+")
# A word joiner (U+2060): invisible, but it breaks the patterns below.
_JOINER = "\u2060"
# Streamlit rewrites some patterns in the parsed text, where escapes are already undone:
# GFM autolinks (`https://`, `www.`, `a@b.c`), emoji and `:material/...:` icons.
_TEXT_PATTERNS = re.compile(r"(?i)(:|@|www(?=\.))")


def chart_text(value: object) -> str:
    """`value` for any text plotly draws (ticks, legend, titles, hover, annotations).

    plotly reads `<...>` as its HTML subset but turns entities back into characters in a
    plain text node, so `&lt;a&gt;` shows as `<a>` and is never a link. `$` becomes `&#36;`
    too: plotly typesets a `$...$` text as LaTeX when MathJax is on the page.
    """
    return html.escape(str(value), quote=False).replace("$", "&#36;")


def chart_texts(values) -> list[str]:
    """chart_text of each value: the labels of a categorical axis, a trace's hover texts."""
    return [chart_text(v) for v in values]


def markdown_text(value: object) -> str:
    """`value` for a Streamlit markdown body (st.markdown, st.caption, st.info, ...).

    Every ASCII punctuation character that can start markup is backslash-escaped, so
    `[x](url)`, `![i](url)`, `<b>`, `:red[x]` and `$x$` show literally. Line breaks become
    spaces (a new line can start a heading or a list). A word joiner after `:`, `@` and
    `www` stops what Streamlit finds in the text after parsing: autolinks, emoji shortcodes,
    `:material/...:` icons.
    """
    text = _LINE_BREAKS.sub(" ", str(value))
    text = _TEXT_PATTERNS.sub(lambda m: m.group() + _JOINER, text)
    return _LIST_START.sub(r"\1\\.", _PUNCTUATION.sub(r"\\\1", text))
