"""How long `schemac import` takes, as a whole process, on the corpus schemas.

    python bench/import_bench.py                    # every file under tests/corpus/
    python bench/import_bench.py --runs 5

For each `<schema>/<dialect>.sql` the table shows its size in statements and tables, the
median wall time of `--runs` runs of `schemac import FILE --dialect D -o /dev/null`, and how
many statements were kept as raw SQL. Each file is imported once first, unmeasured. Of a
MySQL dump of several databases (phorge) the one with the most tables is imported
(`--database`): the whole file is still read and split.
Target (issue 4): the largest corpus schema (phorge, 490 MySQL tables) in under 5 seconds;
for scale, DBML's sql2dbml needs about 21 s for a 2,000-table PostgreSQL file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compile_bench import run  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "corpus")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from schemac.ddl_import import import_ddl
    from schemac.ddl_text import split_statements_with_lines

    schemac = shutil.which("schemac") or str(Path(sys.executable).parent / "schemac")
    print(f"schemac import: median of {args.runs} runs, whole process")
    print(f"| {'schema':<10} | {'dialect':<10} | {'KiB':>5} | {'statements':>10} | {'tables':>6} "
          f"| {'raw SQL':>7} | {'s':>6} |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    files = sorted(args.corpus.glob("*/*.sql"), key=lambda p: p.stat().st_size)
    for path in files:
        dialect = path.stem
        text = path.read_text(encoding="utf-8")
        database = largest_database(text) if dialect == "mysql" else None
        try:
            imported = import_ddl(text, dialect, database)
        except Exception as exc:  # noqa: BLE001 - reported in the table
            print(f"| {path.parent.name:<10} | {dialect:<10} | failed: {exc} |")
            continue
        cmd = [schemac, "import", str(path), "--dialect", dialect, "-o", os.devnull]
        cmd += ["--database", database] if database else []
        run(cmd)
        wall = statistics.median(run(cmd)[0] for _ in range(args.runs))
        count = len(split_statements_with_lines(text, dialect))
        print(f"| {path.parent.name:<10} | {dialect:<10} | {path.stat().st_size / 1024:>5.0f} | "
              f"{count:>10} | {len(imported.catalog.tables):>6} | {len(imported.catalog.objects):>7} | "
              f"{wall:>6.2f} |")


def largest_database(text: str) -> str | None:
    """Of a MySQL dump of several databases, the one with the most tables (a spec holds one)."""
    from schemac.ddl_text import split_statements_with_lines
    from schemac.mysql_text import databases

    counts: dict[str, int] = {}
    for sql, _, where in databases(split_statements_with_lines(text, "mysql")):
        if where is not None and "CREATE TABLE" in sql.upper():
            counts[where] = counts.get(where, 0) + 1
    return max(counts, key=lambda d: counts[d]) if len(counts) > 1 else None


if __name__ == "__main__":
    main()
