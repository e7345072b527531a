"""How long `schemac diff OLD NEW --dialect D` takes, as a whole process, on two versions of a
generated 2,000-entity spec.

    python bench/diff_bench.py                        # 2,000 entities, every dialect, best of 5
    python bench/diff_bench.py --entities 500 --runs 3 --dialects postgresql

OLD is compile_bench's spec of N entities (ten columns, one or two indexes each). NEW adds
10% columns (one new column per entity on average, spread at random; a third of them NOT NULL
with a default, the backfill case), drops 5% of the indexes and adds 5% entities (the next
ones compile_bench would generate). Each dialect is run once first, unmeasured, to warm the
file cache and Python's bytecode cache; the table shows the best of `--runs` wall times, the
best CPU time (user + system of the process and of the child process that loads OLD on a
second core, see schemac.parallel: on a busy machine, closer to what the work takes alone)
and the number of statements of the UP migration. `--allow-destructive` is passed so that no
hazard can make the command refuse (dropping an index loses no data anyway).
Target (issue 5): under 1 second per process.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compile_bench import ENV, generate

NEW_COLUMN_TYPES = ["int?", "text?", "varchar(80)?", "bool @default(false)", "int @default(0)",
                    "timestamptz?", "decimal(12, 2)?"]


def second_version(n: int, seed: int = 2) -> str:
    """NEW: compile_bench's spec of `n` entities with 10% more columns, 5% fewer indexes and
    5% more entities."""
    rnd = random.Random(seed)
    blocks = generate(n + n // 20).split("\n\n")
    head, entities = blocks[0], blocks[1:]
    old, added = entities[:n], entities[n:]
    columns = sum(b.count("\n") - b.count("  index") - b.count("  access") - 1 for b in old)
    extra: dict[int, int] = {}
    for _ in range(columns // 10):
        i = rnd.randrange(n)
        extra[i] = extra.get(i, 0) + 1
    indexes = [(i, line) for i, b in enumerate(old) for line in b.splitlines() if line.startswith("  index")]
    dropped = set(rnd.sample(indexes, len(indexes) // 20))
    out = [head]
    for i, block in enumerate(old):
        lines = [line for line in block.splitlines() if (i, line) not in dropped]
        at = next(k for k, line in enumerate(lines) if line.startswith("  code:"))
        lines[at:at] = [f"  n{k}:       {NEW_COLUMN_TYPES[rnd.randrange(len(NEW_COLUMN_TYPES))]}"
                        for k in range(extra.get(i, 0))]
        out.append("\n".join(lines))
    return "\n\n".join(out + added)


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, of the process and its children) and
    standard output of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu, proc.stdout


def statements(sql: str) -> int:
    """Statements in a migration: lines that end one, outside comments."""
    return sum(1 for line in sql.splitlines() if line.rstrip().endswith(";") and not line.startswith("--"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--dialects", nargs="+", default=["postgresql", "mysql", "sqlite"])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    schemac = shutil.which("schemac") or str(Path(sys.executable).parent / "schemac")
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp, "old.schema"), Path(tmp, "new.schema")
        old.write_text(generate(args.entities))
        new.write_text(second_version(args.entities))
        print(f"schemac diff OLD NEW --dialect D --allow-destructive: {args.entities} entities, "
              f"best of {args.runs} runs, whole process")
        print(f"{'dialect':<11} {'wall s':>7} {'CPU s':>6} {'statements':>11}")
        for dialect in args.dialects:
            cmd = [schemac, "diff", str(old), str(new), "--dialect", dialect, "--allow-destructive"]
            _, _, sql = run(cmd)  # warm the caches
            results = [run(cmd) for _ in range(args.runs)]
            wall = min(r[0] for r in results)
            cpu = min(r[1] for r in results)
            print(f"{dialect:<11} {wall:>7.3f} {cpu:>6.3f} {statements(sql):>11}")

if __name__ == "__main__":
    main()
