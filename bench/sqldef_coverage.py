"""How much of sqldef's schema-diff cases `schemac import` represents.

    python bench/sqldef_coverage.py

The cases (tests/conformance/sqldef/*.jsonl, from the sqldef project, MIT) each hold a
`current` and a `desired` DDL text. Every distinct non-empty text is imported for its
dialect and counted as:

* represented: imported with nothing kept as raw SQL and no warning, and the spec loads and
  compiles for that dialect without an error;
* kept as raw SQL: imported, but some statement (a view, a function, a type the language
  has no construct for...) is kept verbatim in a `sql` block, or a warning was given;
* not a valid spec: the imported spec has errors (most often a table without a primary key,
  which the language requires);
* not imported: the importer failed (SQLite rejected the DDL, or an internal error).

The table is kept in docs/inspect.md; the migration work uses the same cases next.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "conformance" / "sqldef"


def classify(text: str, dialect: str) -> str:
    from schemac import api
    from schemac.ddl_import import import_ddl
    from schemac.dsl.format import format_schema
    from schemac.reverse import reverse

    try:
        imported = import_ddl(text, dialect)
        found = reverse(imported.catalog)
        spec = format_schema(found.schema)
    except Exception:  # noqa: BLE001 - a case the importer cannot take is counted, not raised
        return "not imported"
    loaded = api.load_text(spec, "case.schema")
    if not loaded.ok or api.compile_loaded(loaded, dialect).sql is None:
        return "not a valid spec"
    if imported.notes or found.schema.raw_sql or any("raw SQL" in n or "serial" in n for n in found.notes):
        return "kept as raw SQL"
    return "represented"


def main() -> None:
    columns = ["represented", "kept as raw SQL", "not a valid spec", "not imported"]
    print("| dialect | DDL texts | " + " | ".join(columns) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in columns) + " |")
    for dialect in ("postgresql", "mysql", "sqlite"):
        texts: set[str] = set()
        for line in (CASES / f"{dialect}.jsonl").read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            texts.update(t for t in (case["current"], case["desired"]) if t and t.strip())
        counts = Counter(classify(t, dialect) for t in sorted(texts))
        total = len(texts)
        cells = [f"{counts[c]} ({100 * counts[c] / total:.0f}%)" for c in columns]
        print(f"| {dialect} | {total} | " + " | ".join(cells) + " |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
