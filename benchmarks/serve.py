"""`jianbao serve`: how soon the preview shows a text-only template edit (target ≤ 0.3 s).

    python benchmarks/serve.py              # 10 edits in one warm process, then 5 through a real server
    python benchmarks/serve.py --runs 20 --no-server

1. In one process: ``Preview.rebuild_html`` — the very function the server calls on
   each change — after a warm-up build, N times, each after a chapter template
   override gained a sentence. The median is what the preview adds to an edit.
2. Through a real ``jianbao serve`` process: from the file write to the ``reload``
   event on ``/events`` (what a browser waits for: the watcher's debounce plus the
   rebuild). Each edit waits for the DOCX and PDF of the one before, so that figure
   is the quiet case; during a documents build the two share the process.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from jianbao.scaffold import copy_template, init_project
from jianbao.serve import Preview

TEMPLATE = "chapters/industry.md.j2"
TARGET = 0.3


def rebuild_times(root: Path, runs: int) -> list[float]:
    """Seconds of ``Preview.rebuild_html`` after each of ``runs`` text-only edits."""
    preview = Preview(root, log=lambda _line: None)
    preview.rebuild_html()  # warm: imports, charts drawn into the cache, fonts
    override = root / "templates" / TEMPLATE
    base = override.read_text(encoding="utf-8")
    times = []
    for n in range(runs):
        override.write_text(base + f"\n基准测试第{n + 1}句。\n", encoding="utf-8")
        times.append(preview.rebuild_html())
        if preview.error:
            raise SystemExit(f"the rebuild failed: {preview.error}")
    override.write_text(base, encoding="utf-8")
    return times


def reload_times(root: Path, runs: int) -> list[float]:
    """Seconds from the file write to the ``reload`` event of a real server, per edit."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    script = Path(sys.executable).with_name("jianbao")
    command = [str(script)] if script.is_file() else [sys.executable, "-c", "from jianbao.cli import main; main()"]
    log = root.parent / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([*command, "serve", "--project", str(root), "--port", str(port)],
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "watching" not in log.read_text(encoding="utf-8", errors="replace"):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text(encoding='utf-8')}")
            time.sleep(0.1)
        stream = urllib.request.urlopen(f"http://127.0.0.1:{port}/events?v=", timeout=120)
        events = _events(stream)
        _until(events, "files", lambda d: json.loads(d)["state"] != "building")  # the start's documents
        override = root / "templates" / TEMPLATE
        base = override.read_text(encoding="utf-8")
        times = []
        for n in range(runs):
            start = time.perf_counter()
            override.write_text(base + f"\n重载测试第{n + 1}句。\n", encoding="utf-8")
            _until(events, "reload")
            times.append(time.perf_counter() - start)
            _until(events, "files", lambda d: json.loads(d)["state"] != "building")
        stream.close()
        return times
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _events(stream):
    """(event, data) pairs of a server-sent event stream."""
    name, data = "message", []
    for raw in stream:
        line = raw.decode("utf-8").rstrip("\n")
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


def _until(events, name: str, accept=lambda _data: True) -> str:
    for event, data in events:
        if event == name and accept(data):
            return data
    raise SystemExit("the event stream ended")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="edits in the warm process")
    parser.add_argument("--server-runs", type=int, default=5, help="edits through the real server")
    parser.add_argument("--no-server", action="store_true", help="skip the write-to-reload measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jianbao-serve-bench-") as tmp:
        root = init_project(Path(tmp) / "project")
        copy_template(root, TEMPLATE)
        times = rebuild_times(root, args.runs)
        median = statistics.median(times)
        verdict = "ok" if median <= TARGET else f"over the {TARGET} s target"
        print(f"preview rebuild after a text-only edit: {median:.2f} s (median of {len(times)}; "
              f"min {min(times):.2f}, max {max(times):.2f}; {verdict})")
        if not args.no_server:
            reloads = reload_times(root, args.server_runs)
            print(f"file write to the browser's reload event: {statistics.median(reloads):.2f} s "
                  f"(median of {len(reloads)}; min {min(reloads):.2f}, max {max(reloads):.2f}; "
                  "DOCX/PDF idle)")


if __name__ == "__main__":
    main()
