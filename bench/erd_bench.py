"""How long `schemac erd` takes, as a whole process, on generated specs of N entities.

    python bench/erd_bench.py                      # N = 100, 500, 2000, 5000; mermaid and dot
    python bench/erd_bench.py --sizes 2000 --runs 9

The specs are those of bench/compile_bench.py (ten columns and one to three foreign keys an
entity). The table shows, per format, the median wall time of `--runs` runs of
`schemac erd SPEC --format F -o /dev/null` (the diagram text; `dot` is not run), the peak
resident memory and the time per entity. Each command runs once first, unmeasured, to warm
the file cache and Python's bytecode cache.
Target (issue 3): the Mermaid and the DOT text of 2,000 entities in under 1 second each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compile_bench import generate, run  # noqa: E402

FORMATS = ("mermaid", "dot")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000, 5000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    schemac = shutil.which("schemac") or str(Path(sys.executable).parent / "schemac")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"schemac erd: median of {args.runs} runs, whole process, diagram text only")
        print(f"{'entities':>9} {'lines':>7} " + " ".join(f"{f + ' s':>10} {'ms/entity':>10} {'peak MiB':>9}"
                                                          for f in FORMATS))
        for n in args.sizes:
            spec = Path(tmp, f"bench_{n}.schema")
            spec.write_text(generate(n))
            cells = []
            for fmt in FORMATS:
                cmd = [schemac, "erd", str(spec), "--format", fmt, "-o", os.devnull]
                run(cmd)  # warm the caches
                results = [run(cmd) for _ in range(args.runs)]
                wall = statistics.median(r[0] for r in results)
                peak = max(r[1] for r in results) / 1024
                cells.append(f"{wall:>10.3f} {1000 * wall / n:>10.3f} {peak:>9.1f}")
            print(f"{n:>9} {spec.read_text().count(chr(10)):>7} " + " ".join(cells))


if __name__ == "__main__":
    main()
