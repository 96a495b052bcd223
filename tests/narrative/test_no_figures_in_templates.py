"""No figure in a built-in template: every number a reader sees comes from data.

Checks the literal text of every *.j2 under builtin/templates (chapters, layout, key points,
email bodies — including templates added later); Jinja expressions, statements and comments
are left out by Jinja2's own lexer, so ``{{ fig("x")|growth }}`` is fine and ``增长6.4%`` is not.
"""

import re
from pathlib import Path

import pytest
import yaml
from jinja2 import Environment

from jianbao.resources import builtin_path

TEMPLATES = builtin_path("templates")
# Units: the built-in sample catalog's units of publication, and common Chinese measure words.
_SAMPLE_UNITS = {
    entry["unit"]
    for sector in yaml.safe_load(builtin_path("sample", "data", "catalog.yaml").read_text(encoding="utf-8")).values()
    for entry in (sector.get("indicators") or {}).values()
    if entry.get("unit")
}
_COMMON_UNITS = {"%", "％", "‰", "个百分点", "百分点", "倍", "万", "亿", "千", "百", "成", "个", "家", "辆", "台", "户",
                 "人", "元", "项", "款", "架", "吨", "次", "场", "条", "年", "月", "日", "天", "座", "艘", "部", "件",
                 "位", "名", "所", "批", "类", "种", "GB", "TB", "EFLOPS", "kW", "MW", "GW"}
_UNITS = sorted(_SAMPLE_UNITS | _COMMON_UNITS, key=len, reverse=True)
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:余|多)?(?:" + "|".join(re.escape(u) for u in _UNITS) + ")")


def literal_figures(source: str) -> list[tuple[int, str]]:
    """(line, text) of each number-with-unit in the template's literal text."""
    found = []
    for line, token, value in Environment().lex(source):
        if token == "data":
            for m in FIGURE.finditer(value):
                found.append((line + value.count("\n", 0, m.start()), m.group()))
    return found


def builtin_templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.j2"))


def test_the_check_finds_figures_in_literal_text_only():
    source = '第一行\n增长6.4%，{{ fig("x")|growth }}\n{# 示例：增长6.4% #}\n{% if 1 %}9055亿元{% endif %}，3000余个\n高于4.7 个百分点'
    assert literal_figures(source) == [(2, "6.4%"), (4, "9055亿元"), (4, "3000余个"), (5, "4.7 个百分点")]
    assert literal_figures("{{ x }}5G基站、AG600、“两新”政策") == []


def test_there_are_built_in_templates_to_check():
    names = {p.relative_to(TEMPLATES).as_posix() for p in builtin_templates()}
    assert {"layout.md.j2", "key_points.md.j2"} <= names


@pytest.mark.parametrize("path", builtin_templates(), ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_no_built_in_template_holds_a_figure(path):
    found = literal_figures(path.read_text(encoding="utf-8"))
    assert not found, f"{path}: figures in the template text (take them from data with fig(...)): {found}"
