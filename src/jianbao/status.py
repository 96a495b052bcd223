"""`jianbao status`: every digest unit (period, region) built under reports/, and where its mail stands.

A unit is done when every recipient's latest delivery is ``delivered``; running
while a live claim is being delivered; uncertain or failed when its latest
deliveries say so; built when it was built and nothing was sent yet.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from jianbao.manifest import StaleOutputsError, read_manifest
from jianbao.project import Project

STATES = ("done", "running", "failed", "uncertain", "built")


@dataclass
class UnitStatus:
    period: str
    region: str
    state: str  # one of STATES
    pages: int | None = None
    counts: dict[str, int] = field(default_factory=dict)  # latest delivery status → recipients

    @property
    def name(self) -> str:
        return f"{self.period} {self.region}" if self.region else self.period

    def line(self) -> str:
        pages = f", {self.pages} pages" if self.pages else ""
        mail = ", ".join(f"{status} {n}" for status, n in sorted(self.counts.items()))
        return f"{self.state:<9} {self.name}{pages}" + (f" — {mail}" if mail else "")


def unit_status(project: Project, period: str | None = None) -> list[UnitStatus]:
    """Each unit with a manifest under reports/ (of ``period`` only, when given), by period then region."""
    from jianbao.mail.ledger import IN_FLIGHT, Ledger, claim_is_live, ledger_path, settled_status

    manifests = []
    for folder in sorted(p for p in project.reports_dir.glob("*") if p.is_dir() and not p.name.startswith(".")):
        try:
            manifest = read_manifest(folder)
        except StaleOutputsError:
            continue
        if manifest is not None and (period is None or manifest.period == period):
            manifests.append(manifest)
    path = ledger_path(project.reports_dir)
    rows = []
    if path.is_file():
        with Ledger(path, readonly=True) as ledger:
            rows = ledger.history(period)
    now = time.time()
    units = []
    for manifest in manifests:
        latest: dict[str, str] = {}  # recipient → the status of its latest row for these documents
        for row in rows:
            if (row.period, row.region, row.documents_digest) == (manifest.period, manifest.region,
                                                                   manifest.documents_digest):
                if row.status in IN_FLIGHT:  # live: running; dead: what the next send will settle it to
                    latest[row.recipient] = "running" if claim_is_live(row, now) else settled_status(row)
                else:
                    latest[row.recipient] = row.status
        counts: dict[str, int] = {}
        for status in latest.values():
            counts[status] = counts.get(status, 0) + 1
        state = next((s for s in ("running", "uncertain", "failed") if s in counts), None)
        if state is None:
            state = "done" if counts and set(counts) == {"delivered"} else "built"
        pages = next((o.pages for o in manifest.outputs if o.pages), None)
        units.append(UnitStatus(manifest.period, manifest.region, state, pages, counts))
    return sorted(units, key=lambda u: (u.period, u.region))
