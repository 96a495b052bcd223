"""A digest project on disk: jianbao.toml, data/, templates/, reports/.

Every stage gets its paths from here, so the layout is decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jianbao.config import ProjectConfig, load_config
from jianbao.text import file_name_part


@dataclass(frozen=True)
class Project:
    root: Path
    config: ProjectConfig

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def templates_dir(self) -> Path:
        """Project overrides: same-named files here replace the built-in ones."""
        return self.root / "templates"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    def period_dir(self, period_code: str, region: str = "") -> Path:
        """reports/<period>/, or reports/<period>-<region>/ for a region's digest: each digest is
        published, locked and mailed from its own folder."""
        return self.reports_dir / (f"{period_code}-{file_name_part(region)}" if region else period_code)

    @property
    def cache_dir(self) -> Path:
        return self.reports_dir / ".cache"

    def input_files(self) -> list[Path]:
        """Every file whose change makes built outputs stale (sorted, stable)."""
        files = [self.root / "jianbao.toml"]
        for folder in (self.data_dir, self.templates_dir):
            if folder.is_dir():
                files.extend(p for p in folder.rglob("*") if p.is_file())
        return sorted(f for f in files if f.is_file() and not f.name.startswith("."))


def open_project(root: Path | str = ".") -> Project:
    root = Path(root).resolve()
    return Project(root=root, config=load_config(root))
