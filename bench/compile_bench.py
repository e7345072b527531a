"""How long `schemac compile` takes, as a whole process, on generated specs of N entities.

    python bench/compile_bench.py                  # N = 100, 500, 2000, 5000; postgresql
    python bench/compile_bench.py --sizes 2000 --dialect mysql --runs 5

Each entity has ten columns of mixed types: an identity primary key, one to three foreign
keys to earlier entities, a unique code, a checked amount and the rest of other types; it has
one or two indexes and an access pattern. The table
shows the median wall time of `--runs` runs, the peak resident memory of the process, and
the time per entity; the last line is the start-up time of `schemac --help`. Each size is run
once first, unmeasured, to warm the file cache and Python's bytecode cache.
Target (issue 2): 2,000 entities in under 1 second, growing linearly to 5,000.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TYPES = ["int", "bigint", "text", "varchar(100)", "decimal(12, 2)", "timestamptz", "bool", "uuid", "date",
         "status", "double", "json"]


def generate(n: int, seed: int = 1) -> str:
    """A spec of `n` entities, the same for the same `n` and seed."""
    rnd = random.Random(seed)
    out = ["enum status { active, inactive, archived }", ""]
    for i in range(n):
        lines = [f"entity e{i} {{", "  id:       bigint @pk @identity"]
        refs = rnd.randint(1, 3) if i else 0
        for k in range(refs):
            lines.append(f"  r{k}:       ref e{rnd.randrange(i)} @on_delete(cascade)")
        for j in range(10 - 3 - refs):
            ty = TYPES[rnd.randrange(len(TYPES))]
            null = "?" if j % 3 == 0 else ""
            default = " @default(now())" if ty == "timestamptz" and not null else ""
            lines.append(f"  c{j}:       {ty}{null}{default}")
        lines.append("  code:     varchar(40) @unique")
        lines.append("  amount:   decimal(12, 2) @check(amount >= 0)")
        lines.append("  index (code, amount desc)")
        if rnd.random() < 0.5:
            lines.append("  index (amount)")
        lines.append("  access by_code: code = ? order by amount desc limit 10")
        lines.append("}")
        out.append("\n".join(lines))
        out.append("")
    return "\n".join(out)


# Python caches compiled modules (__pycache__), as on any installation; an environment that
# turns that off would time the compiling of schemac's own source on every run.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000, 5000])
    parser.add_argument("--dialect", default="postgresql")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    schemac = shutil.which("schemac") or str(Path(sys.executable).parent / "schemac")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"schemac compile --dialect {args.dialect}: median of {args.runs} runs, whole process")
        print(f"{'entities':>9} {'lines':>7} {'wall s':>8} {'ms/entity':>10} {'peak MiB':>9}")
        for n in args.sizes:
            spec = Path(tmp, f"bench_{n}.schema")
            spec.write_text(generate(n))
            lines = spec.read_text().count("\n")
            cmd = [schemac, "compile", str(spec), "--dialect", args.dialect, "-o", os.devnull]
            run(cmd)  # warm the file cache and lark's grammar cache
            results = [run(cmd) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in results)
            peak = max(r[1] for r in results) / 1024
            print(f"{n:>9} {lines:>7} {wall:>8.3f} {1000 * wall / n:>10.3f} {peak:>9.1f}")
        starts = [run([schemac, "--help"])[0] for _ in range(max(args.runs, 5))]
        print(f"start-up (schemac --help): {statistics.median(starts) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
