"""Turn an HTML page into its visible text lines, in reading order, one per block element.

The sanctuary parsers work on lines rather than on one site's CSS classes: the same parser then
reads the original page, an archived capture (with the archive's banner) and a reprint, as long as
the text order is kept. The site's navigation and footer (`<nav>`, `<footer>`) are not the page's
content and give no lines, so a copy without the usual end-of-content markers still never reads
"Privacy Policy" as part of a list. `html_blocks` also says which block printed each line (`li` for a
bulleted item), for parsers that need to tell list items from prose.
"""

from __future__ import annotations

import re

import lxml.html

BLOCK_TAGS = {
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "button", "dt", "dd", "td", "th", "div",
    "summary", "section", "article", "ul", "ol", "dl", "table", "tr", "header", "footer", "main",
    "nav", "aside", "blockquote", "figure", "figcaption", "form", "label", "option",
}
SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head"}
NOT_CONTENT_TAGS = {"nav", "footer"}


def clean_space(text: str) -> str:
    """Collapse whitespace (including non-breaking spaces) and strip."""
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()


def html_lines(html: bytes | str) -> list[str]:
    """Visible text of the page as lines: one per leaf block element, `<br>` splitting lines."""
    return [text for _tag, text in html_blocks(html)]


def html_blocks(html: bytes | str) -> list[tuple[str, str]]:
    """The page's lines as `html_lines` gives them, each with the tag of the block element that printed it."""
    if isinstance(html, bytes):
        doc = lxml.html.document_fromstring(html)
    else:
        doc = lxml.html.document_fromstring(html.encode("utf-8"))
    for el in list(doc.iter(*SKIP_TAGS, *NOT_CONTENT_TAGS)):
        el.drop_tree()
    for br in doc.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks: list[tuple[str, str]] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        children = [c for c in el if isinstance(c.tag, str)]
        has_block = any(_has_block(c) for c in children)
        if tag in BLOCK_TAGS and not has_block:
            _emit(tag, el.text_content(), blocks)
            return
        _emit(tag, el.text or "", blocks)
        for child in children:
            walk(child)
            _emit(tag, child.tail or "", blocks)

    walk(doc)
    return blocks


def _has_block(el) -> bool:
    if el.tag in BLOCK_TAGS:
        return True
    return any(_has_block(c) for c in el if isinstance(c.tag, str))


def _emit(tag: str, text: str, blocks: list[tuple[str, str]]) -> None:
    for part in text.split("\n"):
        part = clean_space(part)
        if part:
            blocks.append((tag, part))
