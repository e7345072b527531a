"""The real diagram renderers the tests hand schemac's output to.

- Mermaid: Mermaid's own parser (npm `mermaid`, pinned in tests/mermaid/package-lock.json)
  run under Node.js by tests/mermaid/parse.mjs, which reports what Mermaid understood: its
  entities, their attributes and the relationships with their cardinalities. Install it with
  `npm ci --prefix tests/mermaid` (the README's test set-up does).
- Graphviz: the `dot` program (Debian's `graphviz` package).

When a tool is missing, tests that need it are skipped with the reason and the command that
installs it, or fail when `CI` is set: CI must run them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

import pytest

from conftest import ROOT

MERMAID_DIR = ROOT / "tests" / "mermaid"
MERMAID_INSTALL = "npm ci --prefix tests/mermaid"
DOT_INSTALL = "apt-get install graphviz (Debian/Ubuntu) or brew install graphviz (macOS)"


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI is set, so diagram tests must run, but {what}", pytrace=False)
    pytest.skip(f"{what}; set CI=1 to make this a failure")


def require_mermaid() -> None:
    if shutil.which("node") is None:
        _missing(f"Node.js is not installed (needed to run Mermaid's parser; then run `{MERMAID_INSTALL}`)")
    if not (MERMAID_DIR / "node_modules" / "mermaid" / "package.json").exists():
        _missing(f"Mermaid is not installed for the tests: run `{MERMAID_INSTALL}`")


def require_dot() -> None:
    if shutil.which("dot") is None:
        _missing(f"Graphviz's dot program is not installed: {DOT_INSTALL}")


def mermaid_parse(texts: Sequence[str]) -> list[dict[str, Any]]:
    """What Mermaid's parser makes of each text: {"ok": True, "entities": [...],
    "relationships": [...]} or {"ok": False, "error": ...}. One Node process for all."""
    require_mermaid()
    done = subprocess.run(["node", str(MERMAID_DIR / "parse.mjs")], input=json.dumps(list(texts)),
                          capture_output=True, text=True, timeout=600, cwd=MERMAID_DIR)
    assert done.returncode == 0, f"the Mermaid parser crashed: {done.stderr}"
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def dot_svg(dot: str) -> str:
    """The SVG `dot -Tsvg` makes of `dot`; fails the test if dot reports anything."""
    require_dot()
    done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"dot failed: {done.stderr}"
    assert not done.stderr.strip(), f"dot warned: {done.stderr}"
    return done.stdout


def svg_texts(svg: str | bytes) -> set[str]:
    """Every text an SVG shows (Graphviz escapes `-` and more as character references)."""
    root = ElementTree.fromstring(svg.encode("utf-8") if isinstance(svg, str) else svg)
    return {"".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
