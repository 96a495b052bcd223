"""`jianbao serve`: a real server process, a real headless chromium, real file edits.

The page must follow the edits by itself (server-sent events), show a broken
template's error with its file and line, and recover once it is fixed; the
server must stop cleanly, leaving no process behind.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import browser  # noqa: F401  (pytest finds the fixture by name)
from jianbao.scaffold import copy_template, init_project
from jianbao.serve import _event, _inject

TEMPLATE = "chapters/industry.md.j2"
START_TIMEOUT = 60  # the first build draws every chart
EDIT_TIMEOUT = 20  # an edit shows within a second on a quiet machine; CI machines are not quiet


@dataclass
class Server:
    root: Path
    url: str
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _jianbao() -> list[str]:
    script = Path(sys.executable).with_name("jianbao")
    return [str(script)] if script.is_file() else [sys.executable, "-c", "from jianbao.cli import main; main()"]


def _wait(condition, timeout: float, what: str, server: Server | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if server is not None and server.process.poll() is not None:
            pytest.fail(f"the server exited ({server.process.returncode}) while waiting for {what}:\n{server.log_text()}")
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout} s waiting for {what}" + (f":\n{server.log_text()}" if server else ""))


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """`jianbao serve` on a new project and a free port, as a process group of its own; stopped and checked gone."""
    root = init_project(tmp_path_factory.mktemp("serve") / "project")
    port = _free_port()
    log = root.parent / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*_jianbao(), "serve", "--project", str(root), "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    running = Server(root, f"http://127.0.0.1:{port}/", log, process)
    try:
        _wait(lambda: "watching" in running.log_text(), START_TIMEOUT, "the server to watch", running)
        yield running
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Ctrl+C, as a user stops it; then nothing of its process group may be left (chart workers included)."""
    group = process.pid  # start_new_session: the group is the server's pid
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            process.wait()
            pytest.fail("the server did not stop within 30 s of Ctrl+C")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(group, signal.SIGKILL)
    pytest.fail("processes of the server were left running after it stopped")


def _body_text(driver) -> str:
    try:
        return driver.find_element("tag name", "body").text
    except Exception:  # the page is reloading: no body for a moment
        return ""


def _links(driver) -> dict[str, str]:
    """The bar's links: format → address."""
    try:
        return {a.text: a.get_attribute("href") for a in driver.find_elements("css selector", "#jianbao-files a")}
    except Exception:  # the page is reloading
        return {}


def test_page_follows_edits_shows_errors_and_recovers(server: Server, browser) -> None:  # noqa: F811
    from selenium.webdriver.support.ui import WebDriverWait

    def shows(text: str, timeout: float = EDIT_TIMEOUT) -> None:
        try:
            WebDriverWait(browser, timeout, poll_frequency=0.1).until(lambda d: text in _body_text(d))
        except Exception:
            pytest.fail(f"the page never showed {text!r}; it shows:\n{_body_text(browser)[:2000]}\n"
                        f"server log:\n{server.log_text()}")

    browser.get(server.url)
    shows("jianbao preview")
    assert "工业和信息化发展简报" in browser.title
    assert not browser.find_elements("id", "jianbao-error")

    # A new sentence in a template override: shown without touching the browser.
    override = copy_template(server.root, TEMPLATE)
    good = override.read_text(encoding="utf-8") + "\n预览测试：新增的一句话。\n"
    override.write_text(good, encoding="utf-8")
    started = time.monotonic()
    shows("预览测试：新增的一句话。")
    seconds = time.monotonic() - started

    # The DOCX and PDF follow in the background and are linked in the bar.
    links = _wait(lambda: _links(browser) if _links(browser).keys() >= {"DOCX", "PDF"} else None,
                  START_TIMEOUT, "the DOCX and PDF links", server)
    status, headers, pdf = _get(links["PDF"])
    assert status == 200 and headers["content-type"] == "application/pdf" and pdf.startswith(b"%PDF")
    status, _headers, docx = _get(links["DOCX"])
    assert status == 200 and docx.startswith(b"PK")

    # An unclosed {% if %}: the error, with the file and its line, in place of the digest.
    broken = good + "{% if region %}未闭合\n"
    override.write_text(broken, encoding="utf-8")
    line = broken.count("\n")  # Jinja reports the end of the template, where the endif is missing
    shows("构建失败")
    error = browser.find_element("id", "jianbao-error").text
    assert f"{override}, line {line}" in error, error
    assert "'endif'" in error  # the message is escaped for HTML, and shown as written
    assert browser.find_elements("css selector", "#jianbao-files a"), "the last good documents stay linked"

    # Fixed: the digest is back, with the next edit in it.
    override.write_text(good + "\n修复之后的一句话。\n", encoding="utf-8")
    shows("修复之后的一句话。")
    assert not browser.find_elements("id", "jianbao-error")
    assert "预览测试：新增的一句话。" in _body_text(browser)
    print(f"edit shown in the browser after {seconds:.2f} s")


def test_routes(server: Server) -> None:
    status, headers, page = _get(server.url)
    assert status in (200, 500) and headers["cache-control"] == "no-store"
    assert b'id="jianbao-preview"' in page and b"/events?v=" in page
    status, _headers, _body = _get(server.url + "files/nothing.pdf")
    assert status == 404
    with urllib.request.urlopen(server.url + "events?v=old", timeout=10) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.readline() == b"retry: 1000\n"
        stream.readline()
        assert stream.readline() == b"event: reload\n"  # a page of another version reloads at once
    assert re.search(r"preview rebuilt in \d+\.\d\d s", server.log_text())


def test_a_taken_port_is_said_before_building(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*_jianbao(), "serve", "--project", str(init_project(tmp_path / "p")), "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert "rebuilt" not in done.stdout  # nothing was built for a server that cannot start


def test_inject_puts_bar_first_and_script_last_in_body() -> None:
    page = b'<html><head><title>t</title></head><BODY class="x"><p>digest</p></body></html>'
    out = _inject(page, "<div>bar</div>", "<script>s</script>")
    assert out == b'<html><head><title>t</title></head><BODY class="x"><div>bar</div><p>digest</p><script>s</script></body></html>'
    assert _inject(b"<p>no body</p>", "B", "S") == b"B<p>no body</p>S"
    assert _event("files", "a\nb") == "event: files\ndata: a\ndata: b\n\n"
