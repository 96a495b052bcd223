"""How long `load_dataset` takes for a regional database of 100,000 observations.

    python benchmarks/load.py              # 100,000 observations, median of 5 runs
    python benchmarks/load.py --runs 9 --observations 200000

The data is the synthetic regional project of tests/fixtures/regional.py (the sample with
31 provinces, and monthly rows back from 2016M01 until there are enough observations,
derived figures included), written to a temporary folder. Each run is a new Python
process, so every cache starts empty; it times `load_dataset` alone (catalog,
observations, highlights, derived figures and the Dataset's indexes), not the
interpreter's start-up or the imports.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "fixtures"))

from regional import write_regional_project  # noqa: E402

from jianbao.data import load_dataset  # noqa: E402

LOAD_CODE = """
import json, sys, time
from jianbao.data import load_dataset
start = time.perf_counter()
dataset = load_dataset(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - start, "observations": len(dataset.observations())}))
"""


def months_for(observations: int, base: Path) -> int:
    """The fewest monthly rows that bring the regional project to ``observations``."""
    without = len(load_dataset(write_regional_project(base / "none") / "data").observations())
    one = len(load_dataset(write_regional_project(base / "one", months=1) / "data").observations())
    return max(0, math.ceil((observations - without) / (one - without)))


def timed_load(data: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", LOAD_CODE, str(data)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--observations", type=int, default=100_000, help="at least this many (default 100000)")
    parser.add_argument("--runs", type=int, default=5, help="new processes to time (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jianbao-load-") as tmp:
        base = Path(tmp)
        project = write_regional_project(base / "regional", months_for(args.observations, base))
        runs = [timed_load(project / "data") for _ in range(args.runs)]
    seconds = statistics.median(run["seconds"] for run in runs)
    print(f"load {runs[0]['observations']} observations: {seconds:.2f} s (median of {args.runs})")


if __name__ == "__main__":
    main()
