"""`jianbao serve`: a local preview of the digest that reloads itself on every edit.

One warm process builds once, then watches data/, templates/ and jianbao.toml
(watchfiles) and rebuilds on each change: the HTML first, alone, so the preview
shows the edit within a fraction of a second; then the DOCX and PDF in a worker
thread, so the preview never waits for them. Pages open in a browser listen to
``/events`` (server-sent events) and reload when the HTML changed.

A failed build (a :class:`JianbaoError`: a template syntax error, an unknown
indicator…) shows its message, with file and line, in place of the digest; the
page recovers by itself once the input is fixed. The last good DOCX and PDF stay
linked meanwhile: they are kept in memory, so no later build can take them away.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import re
import secrets
import socket
import threading
import time
import traceback
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from jianbao.build import build
from jianbao.config import CONFIG_NAME
from jianbao.errors import JianbaoError, format_error

DOCUMENTS = ("docx", "pdf")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
KEEPALIVE_SECONDS = 15.0  # a comment this often, so a closed tab is noticed and proxies keep the stream
_BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)



def log_default(line: str) -> None:
    print(line, flush=True)  # at once, also when stdout is a file or a pipe


@dataclass
class Document:
    """A built DOCX or PDF, in memory: the last good one stays served whatever a later build does."""

    format: str
    name: str
    data: bytes


@dataclass
class Preview:
    """What the routes show and the rebuilds change: the last HTML or error, the last good documents.

    Rebuilds run in threads and replace these attributes, never mutate them in place; the
    pages are told to reload only once a rebuild has set all it sets.
    """

    root: Path
    period: str | None = None
    log: Callable[[str], None] = log_default
    html: bytes | None = None  # the last good digest HTML
    error: str | None = None  # the last HTML build's error message; None when it succeeded
    documents: dict[str, Document] = field(default_factory=dict)  # format → last good document
    documents_state: str = "none"  # "building", "ok", "failed" or "none" (never built)
    documents_error: str | None = None
    version: str = ""  # changes with every HTML build, so a page knows whether it shows the latest
    _boot: str = field(default_factory=lambda: secrets.token_hex(4))  # a restarted server is a new version
    _builds: int = 0
    _subscribers: set[asyncio.Queue] = field(default_factory=set)
    _loop: asyncio.AbstractEventLoop | None = None
    _documents_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="jianbao-documents"))
    _documents_pending: bool = False  # a documents build is queued behind the running one
    _documents_lock: threading.Lock = field(default_factory=threading.Lock)
    should_exit: Callable[[], bool] = lambda: False  # the server is stopping: end the event streams

    # -- building ------------------------------------------------------------------------

    def rebuild_html(self) -> float:
        """Build the HTML alone (the fast path of every edit); its seconds. Never raises for the user's errors."""
        start = time.perf_counter()
        try:
            self.html = _build_html(self.root, self.period)
            self.error = None
        except JianbaoError as exc:
            self.error = format_error(exc)
        except Exception as exc:  # a bug must not end the preview: say it, keep watching
            self.log(traceback.format_exc())
            self.error = f"error: internal error while building: {type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - start
        self._builds += 1
        self.version = f"{self._boot}-{self._builds}"
        if self.error:
            self.log(self.error)
        else:
            self.log(f"preview rebuilt in {seconds:.2f} s")
        return seconds

    def rebuild_documents(self) -> None:
        """Build the DOCX and PDF (seconds, not tenths); on success they replace the linked ones."""
        start = time.perf_counter()
        self.documents_state = "building"
        self._notify_files()
        try:
            result = build(self.root, self.period, DOCUMENTS)
            self.documents = {f.format: Document(f.format, f.path.name, f.path.read_bytes()) for f in result.files}
            self.documents_state, self.documents_error = "ok", None
            self.log(f"documents rebuilt in {time.perf_counter() - start:.2f} s")
        except Exception as exc:
            if not isinstance(exc, JianbaoError):
                self.log(traceback.format_exc())
            self.documents_state, self.documents_error = "failed", format_error(exc)
            self.log(f"documents not rebuilt: {self.documents_error}")
        self._notify_files()

    def schedule_documents(self) -> None:
        """Rebuild the documents in the worker thread; edits during a build make one more build, not one each."""
        with self._documents_lock:
            if self._documents_pending:
                return
            self._documents_pending = True
        self._documents_pool.submit(self._documents_job)

    def _documents_job(self) -> None:
        with self._documents_lock:
            self._documents_pending = False
        if self.error is None:  # the HTML failed: the documents would fail the same way
            self.rebuild_documents()

    async def rebuild(self) -> float:
        """One edit: the HTML (in a thread, so requests are served meanwhile), tell the pages, then the documents."""
        seconds = await asyncio.to_thread(self.rebuild_html)
        self._broadcast("reload", self.version)
        if self.error is None:
            self.schedule_documents()
        return seconds

    def close(self) -> None:
        """Drop queued document builds; the one running finishes (its files are published whole)."""
        if self.documents_state == "building":
            self.log("waiting for the DOCX/PDF build under way to finish")
        self._documents_pool.shutdown(wait=False, cancel_futures=True)

    # -- telling the pages ---------------------------------------------------------------------

    def files_state(self) -> dict:
        """The bar's contents, for the page and for the ``files`` event."""
        return {
            "files": [{"format": d.format, "name": d.name, "url": f"/files/{quote(d.name)}"}
                      for d in (self.documents.get(f) for f in DOCUMENTS) if d],
            "state": self.documents_state,
            "error": self.documents_error,
        }

    def _notify_files(self) -> None:
        self._broadcast("files", json.dumps(self.files_state(), ensure_ascii=False))

    def _broadcast(self, event: str, data: str) -> None:
        """Queue an event for every open page; from the loop or from a worker thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            for queue in list(self._subscribers):
                queue.put_nowait((event, data))
        else:
            loop.call_soon_threadsafe(self._broadcast, event, data)

    async def events(self, seen: str) -> AsyncIterator[str]:
        """The event stream of one page that shows version ``seen``: a reload at once if it is not the latest."""
        queue: asyncio.Queue = asyncio.Queue()
        self._subscribers.add(queue)
        try:
            yield "retry: 1000\n\n"
            if seen != self.version:
                yield _event("reload", self.version)
            quiet = 0.0
            while not self.should_exit():
                try:
                    event, data = await asyncio.wait_for(queue.get(), timeout=1.0)
                except TimeoutError:
                    quiet += 1.0
                    if quiet >= KEEPALIVE_SECONDS:
                        quiet = 0.0
                        yield ": keepalive\n\n"
                    continue
                quiet = 0.0
                yield _event(event, data)
        finally:
            self._subscribers.discard(queue)

    # -- watching ------------------------------------------------------------------------------

    def watched(self) -> list[Path]:
        return [p for p in (self.root / CONFIG_NAME, self.root / "data", self.root / "templates") if p.exists()]

    async def watch(self, stop: asyncio.Event) -> None:
        """Rebuild on every change until ``stop``; changes made during a rebuild make the next one."""
        from watchfiles import awatch

        paths = self.watched()
        watching = False
        # yield_on_timeout: the first (empty) yield comes once the watches are in place, so
        # "watching" is said only when an edit from then on is sure to be seen.
        async for changes in awatch(*paths, stop_event=stop, debounce=200, step=30, yield_on_timeout=True,
                                    rust_timeout=300):
            if not changes:
                if not watching:
                    self.log(f"watching {', '.join(str(p) for p in paths)} (Ctrl+C to stop)")
                    watching = True
                continue
            self.log(f"changed: {', '.join(sorted({Path(p).name for _, p in changes}))}")
            await self.rebuild()

    # -- pages -----------------------------------------------------------------------------------

    def page(self) -> tuple[bytes, int]:
        """The page at ``/``: the digest, or the error, with the bar and the reload script; its status."""
        if self.error is None and self.html is not None:
            return _inject(self.html, self._bar(), self._script()), 200
        message = html.escape(self.error or "not built yet")
        body = (f"<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\">"
                f"<title>构建失败 · build failed</title>"
                f"</head><body>{self._bar()}<main style=\"font:15px/1.5 sans-serif;margin:2em\">"
                f"<h1 style=\"color:#b00020;font-size:1.3em\">构建失败 · build failed</h1>"
                f"<pre id=\"jianbao-error\" style=\"white-space:pre-wrap;background:#fff4f4;border:1px solid #f0c0c0;"
                f"padding:1em\">{message}</pre><p>Fix it and save: this page reloads by itself.</p>"
                f"</main>{self._script()}</body></html>")
        return body.encode("utf-8"), 500

    def _bar(self) -> str:
        return (f"<div id=\"jianbao-preview\" style=\"all:initial;display:block;font:13px/1.8 sans-serif;"
                f"background:#f3f3f3;border-bottom:1px solid #ddd;padding:0 1em;color:#333\">"
                f"jianbao preview · <span id=\"jianbao-files\">{_files_html(self.files_state())}</span></div>")

    def _script(self) -> str:
        return _SCRIPT.replace("__VERSION__", json.dumps(self.version))


_NOTES = {"building": "DOCX/PDF building…", "failed": "DOCX/PDF failed (last good ones linked)"}


def _files_html(state: dict) -> str:
    links = " ".join(f"<a href=\"{html.escape(f['url'])}\" title=\"{html.escape(f['name'])}\">"
                     f"{f['format'].upper()}</a>" for f in state["files"])
    note = _NOTES.get(state["state"], "")
    return " ".join(p for p in (links, html.escape(note)) if p) or "no DOCX/PDF yet"


# The page's side of /events: reload on "reload"; refresh the bar's links on "files".
_SCRIPT = """<script>(function () {
  var version = __VERSION__;
  var source = new EventSource("/events?v=" + encodeURIComponent(version));
  source.addEventListener("reload", function () { source.close(); location.reload(); });
  source.addEventListener("files", function (e) {
    var state = JSON.parse(e.data), bar = document.getElementById("jianbao-files");
    if (!bar) return;
    bar.textContent = "";
    state.files.forEach(function (f) {
      var a = document.createElement("a");
      a.href = f.url; a.title = f.name; a.textContent = f.format.toUpperCase();
      bar.appendChild(a); bar.appendChild(document.createTextNode(" "));
    });
    var note = {building: "DOCX/PDF building\\u2026", failed: "DOCX/PDF failed (last good ones linked)"}[state.state];
    if (note) bar.appendChild(document.createTextNode(note));
    else if (!state.files.length) bar.appendChild(document.createTextNode("no DOCX/PDF yet"));
  });
})();</script>"""


def _event(name: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {name}\n{lines}\n"


def _inject(page: bytes, bar: str, script: str) -> bytes:
    """The bar at the top of the body and the script at its end, outside the digest's own markup."""
    found = _BODY.search(page)
    at = found.end() if found else 0
    page = page[:at] + bar.encode() + page[at:]
    end = None
    for end in _BODY_END.finditer(page):
        pass
    cut = end.start() if end else len(page)
    return page[:cut] + script.encode() + page[cut:]


def _build_html(root: Path, period: str | None) -> bytes:
    """The digest as HTML, built and published as ``jianbao build --format html`` would."""
    result = build(root, period, ("html",))
    return next(f.path for f in result.files if f.format == "html").read_bytes()


def app(preview: Preview) -> Starlette:
    """The routes over one ``Preview``; the watcher runs for the app's lifetime."""

    async def index(_request: Request) -> Response:
        body, status = preview.page()
        return HTMLResponse(body, status, headers={"Cache-Control": "no-store"})

    async def files(request: Request) -> Response:
        name = request.path_params["name"]
        found = next((d for d in preview.documents.values() if d.name == name), None)
        if found is None:
            return Response("not built (yet)", 404, media_type="text/plain")
        disposition = f"inline; filename*=UTF-8''{quote(found.name)}"
        return Response(found.data, media_type=MEDIA_TYPES[found.format],
                        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})

    async def events(request: Request) -> Response:
        return StreamingResponse(preview.events(request.query_params.get("v", "")), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        preview._loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        watcher = asyncio.create_task(preview.watch(stop))
        preview.schedule_documents()
        try:
            yield
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            preview.close()

    return Starlette(routes=[Route("/", index), Route("/files/{name}", files), Route("/events", events)],
                     lifespan=lifespan)


class ServeError(JianbaoError, OSError):
    """The preview cannot listen where asked (the port is taken, the address is not this machine's)."""


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {os.strerror(exc.errno) if exc.errno else exc} "
                         "(another `jianbao serve`? choose another with --port)") from None


def serve(project_dir: Path, period: str | None = None, host: str = "127.0.0.1", port: int = 8000,
          log: Callable[[str], None] | None = None) -> None:
    """Build the preview once, then serve it on ``host:port`` and rebuild on every edit until Ctrl+C."""
    import uvicorn

    log = log or log_default
    listening = _listen(host, port)  # before the first build: a port in use is said at once
    preview = Preview(project_dir.resolve(), period, log)
    preview.rebuild_html()
    config = uvicorn.Config(app(preview), host=host, port=port, log_level="warning", lifespan="on",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    preview.should_exit = lambda: server.should_exit
    log(f"preview at http://{host}:{port}/")
    logging.getLogger("watchfiles").setLevel(logging.WARNING)
    try:
        server.run(sockets=[listening])
    except KeyboardInterrupt:  # uvicorn stopped cleanly, then raises the Ctrl+C again for its caller
        pass
    log("stopped")
