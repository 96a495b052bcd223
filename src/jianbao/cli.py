"""The command line: options only; the work is done by the public API."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="jianbao")
def main() -> None:
    """jianbao (简报): build a Chinese briefing digest from indicator data, and mail it."""
