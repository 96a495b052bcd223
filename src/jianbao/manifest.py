"""The build manifest: what a build read and wrote, so `send` can trust outputs.

``reports/<period>/manifest.json`` records a hash of every input file (project
config, data, template overrides) plus the jianbao version whose built-in
templates were used, and the hash and page count of every output. ``send``
delivers only outputs that still match their hashes and whose inputs have not
changed since (mkdocs' build vs gh-deploy split).

The manifest keeps one record per format: a build of some formats (``--format
md`` to review the text) replaces those records and keeps the others, marked
stale when the inputs changed in between, so the documents stay sendable only
while they still match the data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from jianbao import __version__
from jianbao.atomic import publish_folder, write_bytes_atomic
from jianbao.config import CONFIG_NAME
from jianbao.errors import JianbaoError
from jianbao.project import Project

MANIFEST_NAME = "manifest.json"
DOCUMENT_FORMATS = ("docx", "pdf")  # what `send` mails


class StaleOutputsError(JianbaoError, RuntimeError):
    """Outputs are missing, altered, or older than their inputs: build first."""


@dataclass
class Output:
    format: str
    file: str  # name inside the period folder
    sha256: str
    pages: int | None = None
    stale: str | None = None  # why it no longer matches the manifest's inputs (set by a build of other formats)


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
    region: str = ""  # the digest's region; "" national

    def output(self, fmt: str) -> Output | None:
        return next((o for o in self.outputs if o.format == fmt), None)

    @property
    def documents_digest(self) -> str:
        """One hash for the delivered documents: a new digest content is a new delivery.

        Only the mailed formats count, so building the Markdown for review never
        makes the same documents look new to the ledger (and mailed twice).
        """
        documents = sorted((o for o in self.outputs if o.format in DOCUMENT_FORMATS), key=lambda o: o.file)
        joined = "".join(f"{o.file}:{o.sha256};" for o in documents)
        return hashlib.sha256(joined.encode()).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
    write_bytes_atomic(path, _manifest_bytes(manifest))
    return path


def read_manifest(folder: Path) -> Manifest | None:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["outputs"] = [Output(**o) for o in raw.get("outputs", [])]
        raw["summary"] = Summary(**raw["summary"])
        return Manifest(**raw)
    except (ValueError, TypeError, KeyError) as exc:
        raise StaleOutputsError(f"{path}: not a jianbao manifest ({exc}); run `jianbao build`") from None


def publish(folder: Path, files: dict[str, bytes], built: Manifest) -> Manifest:
    """Write ``files`` and their manifest into ``folder`` as one set (see ``atomic.publish_folder``).

    ``built`` describes this build's outputs. The records of formats it did not
    build are kept from the previous manifest, with their files, and so is
    whatever else the folder holds that no build made (``send --dry-run``'s
    outbox/); the files of the rebuilt formats are replaced. Returns the
    manifest written.
    """
    with publish_folder(folder, sum(map(len, files.values()))) as staging:
        try:
            previous = read_manifest(folder)  # read under the lock the swap is made under
        except StaleOutputsError:
            previous = None  # unreadable: nothing is known to be an output, so nothing is kept as one
        manifest = carry_forward(previous, built)
        for name, data in files.items():
            staging.write(name, data)
        staging.write(MANIFEST_NAME, _manifest_bytes(manifest))
        rebuilt = {o.format for o in built.outputs}
        replaced = {o.file for o in previous.outputs if o.format in rebuilt} if previous else set()
        staging.carry_over(skip={MANIFEST_NAME, *files, *replaced})
    return manifest


def carry_forward(previous: Manifest | None, built: Manifest) -> Manifest:
    """``built`` plus the records of the formats it did not build, kept from ``previous``.

    A kept record stays valid only if ``previous`` was built from the same
    inputs by the same jianbao; otherwise it is marked stale, saying why, so
    ``check_current`` refuses it until that format is built again.
    """
    if previous is None or (previous.period, previous.region) != (built.period, built.region):
        return built
    rebuilt = {o.format for o in built.outputs}
    if previous.jianbao != built.jianbao:
        reason: str | None = f"built by jianbao {previous.jianbao}"
    else:
        changed = _changed_inputs(previous.inputs, built.inputs)
        reason = f"built before its inputs changed ({changed})" if changed else None
    kept = [replace(o, stale=o.stale or reason) for o in previous.outputs if o.format not in rebuilt]
    return replace(built, outputs=sorted([*built.outputs, *kept], key=lambda o: o.format))


def _manifest_bytes(manifest: Manifest) -> bytes:
    return json.dumps(asdict(manifest), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def _changed_inputs(before: dict[str, str], after: dict[str, str]) -> str:
    """The inputs whose hash differs (added, removed or edited), for a message; "" when none."""
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return ", ".join(changed[:5]) + (" …" if len(changed) > 5 else "")


def check_current(project: Project, period: str, formats: tuple[str, ...] = DOCUMENT_FORMATS,
                  region: str = "") -> Manifest:
    """The manifest of up-to-date outputs for ``period`` (and ``region``), or StaleOutputsError saying why."""
    folder = project.period_dir(period, region)
    hint = f"run `jianbao build --period {period}{f' --region {region}' if region else ''}` first"
    manifest = read_manifest(folder)
    if manifest is None:
        raise StaleOutputsError(f"{folder}: no build for period {period}{f' ({region})' if region else ''}; {hint}")
    for fmt in formats:
        out = manifest.output(fmt)
        if out is None:
            raise StaleOutputsError(f"{folder}: no build made a {fmt.upper()}; {hint}")
        path = folder / out.file
        if out.stale:
            raise StaleOutputsError(f"{path}: {out.stale}; {hint}")
        if not path.is_file():
            raise StaleOutputsError(f"{path}: missing; {hint}")
        if sha256_file(path) != out.sha256:
            raise StaleOutputsError(f"{path}: changed since it was built; {hint}")
    if manifest.jianbao != __version__:
        raise StaleOutputsError(f"{folder}: built by jianbao {manifest.jianbao}, this is {__version__}; {hint}")
    changed = _changed_inputs(manifest.inputs, input_hashes(project))
    if changed:
        raise StaleOutputsError(f"{folder}: inputs changed since the build ({changed}); {hint}")
    return manifest
