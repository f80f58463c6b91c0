"""Check every internal link of the built documentation, offline.

Usage: ``python scripts/check_docs_links.py docs/_build/html``

Reads every HTML page, follows each relative ``href``/``src`` (and ``#anchor``) to a file of the
build and to an element with that id, and prints each one that is missing. Exits 1 if any is,
0 otherwise. External links (http, https, mailto) are not followed: the build is offline.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.ids.add(values[key])
        for key in ("href", "src"):
            if values.get(key):
                self.links.append(values[key])


def _parse(path: Path, cache: dict[Path, _Page]) -> _Page:
    if path not in cache:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = page
    return cache[path]


def broken_links(root: Path) -> list[str]:
    """Every internal link under ``root`` whose file or anchor is missing, as "page: link"."""
    cache: dict[Path, _Page] = {}
    broken = []
    for page_path in sorted(root.rglob("*.html")):
        if "_static" in page_path.relative_to(root).parts:
            continue  # theme templates copied as assets, not pages
        for link in _parse(page_path, cache).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("//"):
                continue  # external: not followed offline
            target = page_path if not parts.path else (page_path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists() or root.resolve() not in target.resolve().parents:
                broken.append(f"{page_path.relative_to(root)}: {link} (no such file)")
                continue
            anchor = unquote(parts.fragment)
            if anchor and target.suffix == ".html" and anchor not in _parse(target, cache).ids:
                broken.append(f"{page_path.relative_to(root)}: {link} (no such anchor)")
    return broken


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python scripts/check_docs_links.py BUILD_DIR", file=sys.stderr)
        return 2
    root = Path(argv[0])
    broken = broken_links(root)
    for line in broken:
        print(line)
    pages = sum(1 for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts)
    print(f"{pages} pages, {len(broken)} broken internal links")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
