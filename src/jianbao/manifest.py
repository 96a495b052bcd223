"""The build manifest: what a build read and wrote, so `send` can trust outputs.

``reports/<period>/manifest.json`` records a hash of every input file (project
config, data, template overrides) plus the jianbao version whose built-in
templates were used, and the hash and page count of every output. ``send``
delivers only outputs that still match their hashes and whose inputs have not
changed since (mkdocs' build vs gh-deploy split).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from jianbao import __version__
from jianbao.atomic import write_bytes_atomic
from jianbao.config import CONFIG_NAME
from jianbao.project import Project

MANIFEST_NAME = "manifest.json"


class StaleOutputsError(RuntimeError):
    """Outputs are missing, altered, or older than their inputs: build first."""


@dataclass
class Output:
    format: str
    file: str  # name inside the period folder
    sha256: str
    pages: int | None = None


@dataclass
class Summary:
    """What a mail needs to say about the digest, without rebuilding it."""

    name: str  # digest name
    issue: str  # 第1期
    period_label: str  # 2025年上半年
    date: str  # 2025年7月20日
    key_points: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    period: str
    jianbao: str
    inputs: dict[str, str]  # path relative to the project root → sha256
    summary: Summary
    outputs: list[Output] = field(default_factory=list)

    def output(self, fmt: str) -> Output | None:
        return next((o for o in self.outputs if o.format == fmt), None)

    @property
    def documents_digest(self) -> str:
        """One hash for the delivered documents: a new digest content is a new delivery."""
        joined = "".join(f"{o.file}:{o.sha256};" for o in sorted(self.outputs, key=lambda o: o.file))
        return hashlib.sha256(joined.encode()).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_hashes(project: Project) -> dict[str, str]:
    """Hashes of every input; the config is hashed without [mail], which no document shows."""
    hashes = {p.relative_to(project.root).as_posix(): sha256_file(p) for p in project.input_files()}
    config = json.dumps(project.config.model_dump(mode="json", exclude={"mail"}), sort_keys=True, ensure_ascii=False)
    hashes[CONFIG_NAME] = hashlib.sha256(config.encode("utf-8")).hexdigest()
    return hashes


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    path = folder / MANIFEST_NAME
    data = json.dumps(asdict(manifest), ensure_ascii=False, indent=2, sort_keys=True)
    write_bytes_atomic(path, data.encode("utf-8"))
    return path


def read_manifest(folder: Path) -> Manifest | None:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["outputs"] = [Output(**o) for o in raw.get("outputs", [])]
    raw["summary"] = Summary(**raw["summary"])
    return Manifest(**raw)


def check_current(project: Project, period: str, formats: tuple[str, ...] = ("docx", "pdf")) -> Manifest:
    """The manifest of up-to-date outputs for ``period``, or StaleOutputsError saying why."""
    folder = project.period_dir(period)
    hint = f"run `jianbao build --period {period}` first"
    manifest = read_manifest(folder)
    if manifest is None:
        raise StaleOutputsError(f"{folder}: no build for period {period}; {hint}")
    for fmt in formats:
        out = manifest.output(fmt)
        if out is None:
            raise StaleOutputsError(f"{folder}: the last build made no {fmt.upper()}; {hint}")
        path = folder / out.file
        if not path.is_file():
            raise StaleOutputsError(f"{path}: missing; {hint}")
        if sha256_file(path) != out.sha256:
            raise StaleOutputsError(f"{path}: changed since it was built; {hint}")
    if manifest.jianbao != __version__:
        raise StaleOutputsError(f"{folder}: built by jianbao {manifest.jianbao}, this is {__version__}; {hint}")
    current = input_hashes(project)
    changed = sorted(k for k in current.keys() | manifest.inputs.keys() if current.get(k) != manifest.inputs.get(k))
    if changed:
        shown = ", ".join(changed[:5]) + (" …" if len(changed) > 5 else "")
        raise StaleOutputsError(f"{folder}: inputs changed since the build ({shown}); {hint}")
    return manifest
