"""Regions as a dimension of a digest: which regions the data has, and which one a build is for.

A region's digest states that region's figures wherever a template or spec names no
region (``reporting.Policy.region``); 全国 names the national figure for comparison.
"""

from __future__ import annotations

from jianbao.errors import JianbaoError
from jianbao.reporting import NATIONAL
from jianbao.text import name_problem


class RegionError(JianbaoError, ValueError):
    """A region the build was asked for that the data has no figures of, or a bad name."""


def regions_with_data(dataset) -> list[str]:
    """Every region the observations hold, in data order (national figures are not a region)."""
    return list(dict.fromkeys(o.region for o in dataset.observations() if o.region))


def checked_region(dataset, region: str | None, data_dir: object = "data/observations") -> str:
    """The region a build is for: "" for a national digest (None, "" or 全国), else a region the data has."""
    if region in (None, "", NATIONAL):
        return ""
    why = name_problem(region, "a region name")
    if why:
        raise RegionError(f"--region: {why}")
    known = regions_with_data(dataset)
    if region not in known:
        shown = "、".join(known[:10]) + (" …" if len(known) > 10 else "") if known else "none"
        raise RegionError(f"--region: no figures for region {region!r} in {data_dir} (regions with data: {shown})")
    return region


def check_regional_title(title: str) -> None:
    """A region's digest name becomes its file names too: the same checks as the digest name."""
    why = name_problem(title, "a region's digest name ([digest] regional_name with the region)")
    if why:
        raise RegionError(why)


def burst_regions(configured: list[str], dataset, data_dir: object = "data/observations") -> list[str]:
    """The regions ``--each region`` builds: the configured list (each must have data), else every
    region with data."""
    if not configured:
        return regions_with_data(dataset)
    return [checked_region(dataset, r, data_dir) for r in configured]
