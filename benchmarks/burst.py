"""Digests a second for a burst (`--each region`) of the synthetic regional project (31 provinces).

    python benchmarks/burst.py            # 1 and 2 local processes, and 2 Celery workers
    python benchmarks/burst.py --runs 1   # one run each (a smoke test)

Each figure is a whole `jianbao` command in a new process (its start-up, the data's
load and the chart drawing included), the median of ``--runs``; the chart cache is
emptied before every run, so every digest draws its charts. The Celery row starts a
redis-server (Debian's) and two `jianbao worker` processes of one process each, and
times `jianbao run --each region --engine celery` with no readers configured (build
only), so it measures the same work as the local rows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "fixtures"))

from regional import write_regional_project  # noqa: E402

JIANBAO = [str(Path(sys.executable).with_name("jianbao"))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(command: list[str], root: Path, runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        shutil.rmtree(root / "reports", ignore_errors=True)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - start)
    return seconds


def celery_seconds(root: Path, runs: int) -> list[float]:
    port = free_port()
    config = root / "jianbao.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f'\n[engine]\nbroker = "redis://127.0.0.1:{port}/0"\n', encoding="utf-8")
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL, start_new_session=True)
    workers = [subprocess.Popen([*JIANBAO, "worker", "--project", str(root)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True) for _ in range(2)]
    try:
        time.sleep(3)  # the workers connect
        return timed([*JIANBAO, "run", "--project", str(root), "--each", "region", "--engine", "celery"], root, runs)
    finally:
        for proc in [*workers, redis]:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = write_regional_project(Path(folder) / "digest")
        units = 31
        rows = {}
        for jobs in (1, 2):
            rows[f"local, {jobs} process{'es' if jobs > 1 else ''}"] = timed(
                [*JIANBAO, "build", "--project", str(root), "--each", "region", "--jobs", str(jobs)], root, args.runs)
        if shutil.which("redis-server"):
            rows["Celery, 2 workers"] = celery_seconds(root, args.runs)
        one = statistics.median(rows["local, 1 process"])
        print(f"burst of {units} regional digests (DOCX + PDF), median of {args.runs}:")
        for name, seconds in rows.items():
            median = statistics.median(seconds)
            print(f"  {name:<20} {median:6.1f} s  {units / median:5.2f} digests/s  ×{one / median:.2f}")


if __name__ == "__main__":
    main()
