"""reports/<period>/ as one set: kill -9, a full disk, no permission, and builds of some formats.

After anything, the period folder holds the complete old set or the complete new
one (every file the manifest names, with its hash, and nothing half-written
beside them), and what no build made there (send --dry-run's outbox/) survives.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from jianbao import __version__, atomic
from jianbao.api import build
from jianbao.atomic import OutputWriteError, publish_folder, write_bytes_atomic
from jianbao.cli import main
from jianbao.manifest import (
    MANIFEST_NAME,
    Manifest,
    Output,
    StaleOutputsError,
    Summary,
    carry_forward,
    check_current,
    input_hashes,
    read_manifest,
    sha256_file,
)
from jianbao.project import open_project
from jianbao.scaffold import init_project

PERIOD = "2025H1"
NAME = "工业和信息化发展简报"
JIANBAO = Path(sys.executable).with_name("jianbao")  # the console script of this venv
MAIL = '\n[mail]\nfrom = "简报 <briefing@example.cn>"\nto = ["wang@example.gov.cn", "li@example.gov.cn"]\n'
MARKER = "实现平稳运行。"  # in the sample's data/highlights/industry.yaml


# --- helpers ------------------------------------------------------------------------------------


def _edit_text(root: Path, n: int) -> None:
    """A text-only change of the inputs (no chart changes): the n-th version of one highlight."""
    path = root / "data" / "highlights" / "industry.yaml"
    original = root / "industry.yaml.orig"
    if not original.exists():
        shutil.copyfile(path, original)
    text = original.read_text(encoding="utf-8")
    assert MARKER in text
    path.write_text(text.replace(MARKER, f"实现平稳运行（第{n}版）。"), encoding="utf-8")


def _edit_data(root: Path) -> None:
    csv = root / "data" / "observations" / "industry.csv"
    text = csv.read_text(encoding="utf-8")
    assert "industry_va_growth,2025H1,,6.4" in text
    csv.write_text(text.replace("industry_va_growth,2025H1,,6.4", "industry_va_growth,2025H1,,6.5"), encoding="utf-8")


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path → sha256): to compare a whole set byte for byte."""
    return {p.relative_to(folder).as_posix(): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def _published(folder: Path) -> Manifest | None:
    """The manifest of the set in ``folder`` after asserting the set is complete; None if absent."""
    if not folder.exists():
        return None
    hidden = [p for p in folder.rglob("*") if p.name.startswith(".")]
    assert not hidden, f"temp or staging files inside the period folder: {hidden}"
    manifest = read_manifest(folder)
    assert manifest is not None, f"{folder} exists without a manifest: {sorted(os.listdir(folder))}"
    for out in manifest.outputs:
        assert sha256_file(folder / out.file) == out.sha256, f"{out.file} is not the file its manifest names"
    files = {p.name for p in folder.iterdir() if p.is_file()}
    assert files == {MANIFEST_NAME, *(o.file for o in manifest.outputs)}
    return manifest


def _leftovers(root: Path) -> list[str]:
    """What builds left beside the period folder, other than the lock they share."""
    return sorted(p.name for p in (root / "reports").glob(f".{PERIOD}.*") if p.name != f".{PERIOD}.lock")


def _cli(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args])


def _jianbao(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(JIANBAO), *args, "--project", str(root)], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample project built in all formats, with a dry run's outbox in the period folder."""
    root = init_project(tmp_path_factory.mktemp("outputs") / "digest")
    build(root, PERIOD, ("docx", "pdf", "md"))
    outbox = root / "reports" / PERIOD / "outbox"
    outbox.mkdir()
    (outbox / "001-wang@example.gov.cn.eml").write_bytes(b"Subject: kept\r\n\r\nnot a build output\r\n")
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A copy of ``built`` to break; its inputs already differ from those of its outputs."""
    root = tmp_path / "digest"
    shutil.copytree(built, root, symlinks=True)
    _edit_text(root, 1)
    return root


# --- kill -9 ------------------------------------------------------------------------------------


def test_kill_9_at_any_moment_leaves_the_old_or_the_new_set(tmp_path: Path) -> None:
    """Real `jianbao build` processes killed with SIGKILL at a random moment of their run, or just
    as they publish.

    Every build has new inputs, so after each kill the folder must be the set of the
    build before (old) or of this one (new), with the outbox a dry run left. The
    moments are drawn from the time a whole build takes on this machine (one timed
    first), so kills land before, during and after publishing on a slow machine too.
    """
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    root = init_project(tmp_path / "digest")
    reports = root / "reports"
    folder = reports / PERIOD
    eml = b"Subject: kept\r\n\r\nfrom a dry run\r\n"
    outcomes: Counter[str] = Counter()
    start = time.monotonic()
    assert _jianbao(root, "build", "--format", "docx,pdf,md").returncode == 0
    whole = time.monotonic() - start  # one build, start-up and the first charts included
    published = input_hashes(open_project(root))  # inputs of the set in the folder
    (folder / "outbox").mkdir()  # from now on a dry run's outbox must survive every build
    (folder / "outbox" / "001-wang@example.gov.cn.eml").write_bytes(eml)
    deadline = time.monotonic() + 30
    n = 0
    while time.monotonic() < deadline:
        n += 1
        _edit_text(root, n)
        inputs = input_hashes(open_project(root))
        proc = subprocess.Popen([str(JIANBAO), "build", "--project", str(root), "--format", "docx,pdf,md"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        how = _kill_soon(proc, reports, rng, publishing=n % 2 == 0, longest=1.2 * whole)
        stderr = proc.communicate()[1].decode()
        where = f"(seed {seed}, build {n}, killed {how}, exit {proc.returncode}) {stderr[-500:]}"
        assert proc.returncode in (0, -signal.SIGKILL), where
        manifest = _published(folder)
        assert manifest is not None, f"the period folder vanished {where}"
        if manifest.inputs == inputs:
            published = inputs
            outcomes["new"] += 1
        else:
            assert manifest.inputs == published, f"the set is neither the old one nor the new one {where}"
            outcomes["old"] += 1
        assert (folder / "outbox" / "001-wang@example.gov.cn.eml").read_bytes() == eml, where
    assert outcomes["new"] and outcomes["old"], f"{dict(outcomes)} (seed {seed})"

    done = _jianbao(root, "build", "--format", "docx,pdf,md")
    assert done.returncode == 0, done.stderr
    assert _published(folder).inputs == input_hashes(open_project(root))
    assert check_current(open_project(root), PERIOD, ("docx", "pdf", "md"))
    assert _leftovers(root) == []  # staging folders of killed builds are gone
    assert (folder / "outbox" / "001-wang@example.gov.cn.eml").read_bytes() == eml


def _kill_soon(proc: subprocess.Popen, reports: Path, rng: random.Random, publishing: bool,
               longest: float) -> str:
    """SIGKILL ``proc`` and its workers: after a random delay up to ``longest`` s, or 0…20 ms after it
    starts publishing."""
    if publishing:
        end = time.monotonic() + 20
        while proc.poll() is None and time.monotonic() < end:
            if any(name.startswith(f".{PERIOD}.staging-") for name in os.listdir(reports)):
                break
            time.sleep(0.002)
        delay = rng.uniform(0, 0.02)
        how = f"{delay * 1000:.0f} ms into publishing"
    else:
        delay = rng.uniform(0.1, longest)
        how = f"after {delay:.2f} s"
    try:
        proc.wait(delay)
        how += " (had finished)"
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:  # the build and its workers had all ended
        pass
    return how


# --- full disk, no permission ---------------------------------------------------------------------


def _fail_at(monkeypatch: pytest.MonkeyPatch, point: str, code: int, nth: int = 1) -> None:
    """Make the ``nth`` call of one step of publishing fail with ``code``, as the disk would."""

    def failing(original):
        calls = 0

        def step(*args, **kwargs):
            nonlocal calls
            calls += 1
            if calls == nth:
                if point == "write":  # half of the file, then the disk is full
                    staging, name, data = args
                    (staging.path / name).write_bytes(data[: len(data) // 2])
                raise OSError(code, os.strerror(code))
            return original(*args, **kwargs)

        return step

    target = {"write": (atomic.Staging, "write"), "carry": (atomic, "_link_or_copy"),
              "fsync": (atomic, "_fsync_tree"), "swap": (atomic, "_exchange")}[point]
    monkeypatch.setattr(*target, failing(getattr(*target)))


@pytest.mark.parametrize(("point", "nth"), [
    ("write", 1), ("write", 2), ("write", 3), ("write", 4),  # DOCX, PDF, Markdown, manifest
    ("carry", 1), ("fsync", 1), ("swap", 1),
])
def test_full_disk_at_any_step_keeps_the_old_set_and_says_so_in_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, point: str, nth: int
) -> None:
    folder = project / "reports" / PERIOD
    before = _snapshot(folder)
    _fail_at(monkeypatch, point, errno.ENOSPC, nth)
    result = _cli("build", "--project", project, "--format", "docx,pdf,md")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith(f"error: no space left on device writing {folder}/ (needs about ")
    assert lines[0].endswith(" MB): the previous outputs are unchanged")
    assert _snapshot(folder) == before
    assert _leftovers(project) == []

    monkeypatch.undo()  # space again: the next build publishes the new set
    assert _cli("build", "--project", project, "--format", "docx,pdf,md").exit_code == 0
    assert _snapshot(folder) != before
    assert check_current(open_project(project), PERIOD, ("docx", "pdf", "md"))


@pytest.mark.parametrize(("code", "reason"), [(errno.EACCES, "permission denied"),
                                              (errno.EROFS, "read-only file system")])
def test_a_read_only_reports_folder_keeps_the_old_set_and_says_so(
    project: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    """Tests run as root, whom chmod does not stop: the refusal is injected where a build creates files."""
    reports = project / "reports"
    folder = reports / PERIOD
    before = _snapshot(folder)
    mkdtemp = tempfile.mkdtemp

    def refuse(*args, **kwargs):
        if Path(kwargs.get("dir") or "") == reports:
            raise OSError(code, os.strerror(code), str(reports))
        return mkdtemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    result = _cli("build", "--project", project)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {reason} writing {folder}/: the previous outputs are unchanged"]
    assert _snapshot(folder) == before


def test_a_first_build_that_cannot_write_says_nothing_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_project(tmp_path / "digest")
    _fail_at(monkeypatch, "write", errno.ENOSPC, 2)
    result = _cli("build", "--project", root, "--format", "md,docx")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].endswith(" MB): nothing was written")
    assert not (root / "reports" / PERIOD).exists() and _leftovers(root) == []


def _mount_tmpfs(path: Path, size: str) -> bool:
    """A small tmpfs for a real full disk: needs root with CAP_SYS_ADMIN, as CI and the developers run."""
    path.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def test_a_really_full_disk_keeps_the_old_set(built: Path, tmp_path: Path) -> None:
    """A tmpfs with room for the new DOCX but not the PDF: the version that used to mix the two."""
    disk = tmp_path / "disk"
    assert _mount_tmpfs(disk, "16m"), "cannot mount a tmpfs (the test runs as root with CAP_SYS_ADMIN, as CI does)"
    try:
        root = disk / "digest"
        shutil.copytree(built, root, symlinks=True)
        folder = root / "reports" / PERIOD
        _edit_text(root, 1)
        assert _jianbao(root, "build").returncode == 0
        before = _snapshot(folder)
        _edit_text(root, 2)
        docx = folder / f"{NAME}-{PERIOD}.docx"
        room = docx.stat().st_size + 64 * 1024
        vfs = os.statvfs(disk)
        (disk / "filler").write_bytes(b"\0" * (vfs.f_bavail * vfs.f_frsize - room))

        failed = _jianbao(root, "build")
        assert failed.returncode == 1
        lines = failed.stderr.splitlines()
        assert len(lines) == 1, failed.stderr
        assert lines[0].startswith(f"error: no space left on device writing {folder}/ (needs about ")
        assert lines[0].endswith(" MB): the previous outputs are unchanged")
        assert _snapshot(folder) == before
        assert _leftovers(root) == []

        (disk / "filler").unlink()
        assert _jianbao(root, "build").returncode == 0
        assert _published(folder).inputs == input_hashes(open_project(root))
        assert _snapshot(folder) != before
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_write_bytes_atomic_on_a_full_disk_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "charts" / "chart.png"
    write_bytes_atomic(path, b"old")

    def full(fd: int, data: bytes) -> None:
        os.close(fd)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic, "_write_fd", full)
    with pytest.raises(OutputWriteError, match=f"^no space left on device writing {path}$"):
        write_bytes_atomic(path, b"new")
    assert path.read_bytes() == b"old" and os.listdir(path.parent) == ["chart.png"]


# --- publishing, unit by unit ----------------------------------------------------------------------


def test_leftovers_of_killed_builds_are_removed_and_an_interrupted_swap_is_undone(tmp_path: Path) -> None:
    target = tmp_path / "reports" / PERIOD
    target.parent.mkdir()
    staging = target.parent / f".{PERIOD}.staging-abc"
    staging.mkdir()
    (staging / "half.pdf").write_bytes(b"%PDF-")
    retired = target.parent / f".{PERIOD}.old-abc"  # killed between the two renames of the fallback swap
    retired.mkdir()
    (retired / "a.txt").write_text("old", encoding="utf-8")
    with publish_folder(target) as new:
        assert (target / "a.txt").read_text(encoding="utf-8") == "old"  # put back before anything else
        assert new.carry_over(skip=()) == ["a.txt"]
        new.write("b.txt", b"new")
    assert sorted(os.listdir(target)) == ["a.txt", "b.txt"]
    assert sorted(os.listdir(target.parent)) == [f".{PERIOD}.lock", PERIOD]


def test_without_rename_exchange_the_fallback_swap_publishes_the_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / PERIOD
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    (target / ".x.pdf.1234.tmp").write_bytes(b"left by a killed write")
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    with publish_folder(target) as new:
        new.write("new.txt", b"new")
        new.carry_over(skip={"old.txt"})
    assert os.listdir(target) == ["new.txt"]  # the replaced file and the temp file are not carried
    assert sorted(os.listdir(tmp_path)) == [f".{PERIOD}.lock", PERIOD]


def test_a_failing_block_leaves_the_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / PERIOD
    target.mkdir(mode=0o750)
    (target / "old.txt").write_text("old", encoding="utf-8")
    with pytest.raises(ValueError), publish_folder(target) as new:
        new.write("new.txt", b"new")
        raise ValueError("a bug")
    assert os.listdir(target) == ["old.txt"]
    assert sorted(os.listdir(tmp_path)) == [f".{PERIOD}.lock", PERIOD]
    with publish_folder(target) as new:
        new.write("new.txt", b"new")
    assert target.stat().st_mode & 0o777 == 0o750  # the folder keeps its mode across the swap


# --- builds of some formats ------------------------------------------------------------------------


def test_md_only_build_keeps_the_documents_sendable_until_the_inputs_change(tmp_path: Path) -> None:
    """README's review step (`build --format md` after `build`) then `send --dry-run`, as a user runs them."""
    root = init_project(tmp_path / "digest")
    config = root / "jianbao.toml"
    config.write_text(config.read_text(encoding="utf-8") + MAIL, encoding="utf-8")
    folder = root / "reports" / PERIOD
    assert _jianbao(root, "build").returncode == 0
    documents = _snapshot(folder)
    digest = read_manifest(folder).documents_digest

    review = _jianbao(root, "build", "--format", "md")
    assert review.returncode == 0, review.stderr
    manifest = _published(folder)
    assert [(o.format, o.stale) for o in manifest.outputs] == [("docx", None), ("md", None), ("pdf", None)]
    assert manifest.documents_digest == digest  # the same documents to the ledger: nobody is mailed twice
    docx, pdf, md = (f"{NAME}-{PERIOD}.{fmt}" for fmt in ("docx", "pdf", "md"))
    now = _snapshot(folder)
    assert {name: now[name] for name in (docx, pdf)} == {name: documents[name] for name in (docx, pdf)}
    assert now[md] == manifest.output("md").sha256

    sent = _jianbao(root, "send", "--dry-run")
    assert sent.returncode == 0, sent.stderr
    outbox = sorted((folder / "outbox").glob("*.eml"))
    assert len(outbox) == 2
    eml = outbox[0].read_bytes()
    message = message_from_bytes(eml, policy=policy.default)
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert attachments == {name: (folder / name).read_bytes() for name in (docx, pdf)}

    assert _jianbao(root, "build", "--format", "md").returncode == 0
    assert outbox[0].read_bytes() == eml  # a rebuild keeps the dry run's outbox

    _edit_data(root)
    assert _jianbao(root, "build", "--format", "md").returncode == 0
    manifest = _published(folder)
    assert manifest.output("md").stale is None
    assert manifest.output("docx").stale == "built before its inputs changed (data/observations/industry.csv)"
    refused = _jianbao(root, "send", "--dry-run")
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"error: {folder / docx}: built before its inputs changed "
        f"(data/observations/industry.csv); run `jianbao build --period {PERIOD}` first"
    ]
    assert _jianbao(root, "build").returncode == 0
    assert _jianbao(root, "send", "--dry-run").returncode == 0


def _manifest(jianbao: str, inputs: dict[str, str], *formats: str) -> Manifest:
    summary = Summary(NAME, "第1期", "2025年上半年", "2025年7月20日")
    return Manifest(PERIOD, jianbao, inputs, summary, [Output(f, f"{NAME}.{f}", f"hash-{f}") for f in formats])


def test_carry_forward_keeps_other_formats_and_marks_them_stale_when_their_build_differs() -> None:
    full = _manifest(__version__, {"data/a.csv": "1"}, "docx", "pdf")
    same = carry_forward(full, _manifest(__version__, {"data/a.csv": "1"}, "md"))
    assert [(o.format, o.stale) for o in same.outputs] == [("docx", None), ("md", None), ("pdf", None)]

    changed = carry_forward(full, _manifest(__version__, {"data/a.csv": "2", "data/b.csv": "3"}, "md"))
    assert changed.output("pdf").stale == "built before its inputs changed (data/a.csv, data/b.csv)"
    again = carry_forward(changed, _manifest(__version__, {"data/a.csv": "2", "data/b.csv": "3"}, "md"))
    assert again.output("pdf").stale == changed.output("pdf").stale  # stale until that format is rebuilt
    rebuilt = carry_forward(again, _manifest(__version__, {"data/a.csv": "2", "data/b.csv": "3"}, "pdf"))
    assert rebuilt.output("pdf").stale is None and rebuilt.output("docx").stale is not None

    upgraded = carry_forward(full, _manifest("0.0.0-other", {"data/a.csv": "1"}, "md"))
    assert upgraded.output("docx").stale == f"built by jianbao {__version__}"


def test_an_unreadable_manifest_is_a_stale_build_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(StaleOutputsError, match="not a jianbao manifest"):
        read_manifest(tmp_path)
