"""Chinese statistical phrases from decimal figures.

Pure functions: Decimal in, Chinese out, no data access. Every number is
rounded to its printed decimals before it is compared or printed, so the words
always agree with the digits a reader sees ("持平" for a rate that prints as
0.0, "加快" only when the printed rates differ). Rounding, qualifier placement
and 万/亿 scaling are those of :mod:`jianbao.figures` (half-up; a bound rounds
the way that keeps it true: 超过3.6 → 超过3, 近39.6 → 近40).
The conventions are those of ../shared/DESIGN.md: 增长/下降 (never 增长-1.2%),
differences of rates in 个百分点 (never %).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from jianbao import figures
from jianbao.figures import (  # noqa: F401  (re-exported: callers use phrases.number, .qualified, .PP)
    INFIX_QUALIFIERS,
    PP,
    PREFIX_QUALIFIERS,
    QUALIFIERS,
    SUFFIX_QUALIFIERS,
    number,
    qualified,
    round_figure,
)
from jianbao.numbers import round_half_up, shown_decimals


def level(value: Decimal, unit: str, decimals: int, qualifier: str = "", *, scale: bool = True) -> str:
    """A figure in its unit of publication with exactly ``decimals`` digits: 1562.1万辆, 9055亿元, 14万家.

    Base units (家, 个, 元, 人 …) are scaled to 万/亿 keeping every published
    digit (18500个 → 1.85万个); units that already carry a magnitude, rates and
    Latin units (EFLOPS) are printed as published. Tenths (成) are written in
    Chinese numerals: 六成以上. The caller chooses ``decimals``
    (:func:`jianbao.figures.decimals_shown`: levels are not padded, rates are).
    """
    return figures.format_figure(value, unit, decimals, qualifier, scale=scale)


def rate(value: Decimal, decimals: int = 1, qualifier: str = "") -> str:
    """A rate as printed: 6.4%, 6.0%, 超过79%, 8%以上."""
    return qualified(number(value, decimals, qualifier), "%", qualifier)


def times(value: Decimal, qualifier: str = "") -> str:
    """A multiple as Chinese prints it: 7 → 7, 1.50 → 1.5 (one decimal at most, no trailing zero)."""
    return f"{round_figure(value, 1, qualifier).normalize():f}"


def growth(
    value: Decimal, decimals: int = 1, *, unit: str = "%", qualifier: str = "", in_times: bool = False
) -> str:
    """增长6.4% / 下降1.2% / 持平; a figure published in 倍 reads 增长7倍.

    ``in_times=True`` says growth of 100% or more in 倍 (a 700% rise: 增长7倍),
    as the source does for the steepest rises; growth of 100.0% becomes 增长1倍.
    """
    rounded = round_figure(value, decimals, qualifier)
    if unit == "倍":
        if value < 0:
            raise ValueError(f"a growth multiple cannot be negative: {value}")
        if rounded == 0:
            return "持平"
        return "增长" + qualified(number(rounded, decimals), "倍", qualifier)
    if unit != "%":
        raise ValueError(f"growth is a rate in % or a multiple in 倍, not in {unit!r}")
    if rounded == 0:
        return "持平"
    verb = "增长" if rounded > 0 else "下降"
    if in_times and rounded >= 100:
        return verb + qualified(times(rounded / 100, qualifier), "倍", qualifier)
    return verb + rate(abs(rounded), decimals, qualifier)


def points(value: Decimal, decimals: int = 1) -> str:
    """A difference of rates: 4.7个百分点 (a signed value keeps its sign; say direction in words)."""
    return number(value, decimals) + PP


def rate_change(current: Decimal, previous: Decimal, decimals: int = 1, *, than: str = "") -> str:
    """How a growth rate moved from ``previous`` to ``current``.

    Both rising: 增速比一季度加快/回落X个百分点; both falling: 降幅比一季度收窄/扩大X个百分点;
    across zero: 较一季度由降转增 / 由增转降; unchanged: 增速与一季度持平.
    Without ``than`` the reference is left out (增速回落0.2个百分点).
    """
    cur = round_half_up(current, decimals)
    prev = round_half_up(previous, decimals)
    diff = points(abs(cur - prev), decimals)
    bi, yu, jiao = (f"比{than}", f"与{than}", f"较{than}") if than else ("", "", "")
    if cur > 0 and prev > 0 or cur == prev == 0:
        if cur == prev:
            return f"增速{yu}持平"
        return f"增速{bi}{'加快' if cur > prev else '回落'}{diff}"
    if cur < 0 and prev < 0:
        if cur == prev:
            return f"降幅{yu}持平"
        return f"降幅{bi}{'收窄' if cur > prev else '扩大'}{diff}"
    if prev < 0 < cur:
        return f"{jiao}由降转增"
    if cur < 0 < prev:
        return f"{jiao}由增转降"
    if prev == 0:
        return f"{jiao}由持平转为{'增长' if cur > 0 else '下降'}"
    return f"{jiao}由{'增长' if prev > 0 else '下降'}转为持平"


def point_change(current: Decimal, previous: Decimal, decimals: int = 1, *, than: str = "") -> str:
    """How a share (or another level in %) moved: 比上年同期提高/下降X个百分点, 与…持平."""
    diff = round_half_up(current, decimals) - round_half_up(previous, decimals)
    if diff == 0:
        return f"与{than}持平" if than else "持平"
    bi = f"比{than}" if than else ""
    return f"{bi}{'提高' if diff > 0 else '下降'}{points(abs(diff), decimals)}"


def difference(diff: Decimal, decimals: int = 1, *, than: str = "") -> str:
    """A rate against another, the gap in 个百分点: 高于全国平均水平4.7个百分点 / 低于… / 与…持平."""
    rounded = round_half_up(diff, decimals)
    if rounded == 0:
        return f"与{than}持平" if than else "持平"
    word = "高于" if rounded > 0 else "低于"
    if not than:
        word = word[0]  # 高4.7个百分点
    return f"{word}{than}{points(abs(rounded), decimals)}"


def compare_rates(a: Decimal, b: Decimal, decimals: int = 1, *, than: str = "") -> str:
    """Rate ``a`` against rate ``b``, each as printed: 高于同期工业增加值增速4.7个百分点."""
    return difference(round_half_up(a, decimals) - round_half_up(b, decimals), decimals, than=than)


def pull(value: Decimal, decimals: int = 1, *, what: str = "", qualifier: str = "") -> str:
    """拉动全部规模以上工业增长3.4个百分点; a negative pull: 拉低…增速0.5个百分点."""
    rounded = round_figure(value, decimals, qualifier)
    if rounded == 0:
        return f"对{what}增长无拉动" if what else "无拉动作用"
    verb = "拉动" if rounded > 0 else "拉低"
    noun = "增长" if rounded > 0 else "增速"
    return f"{verb}{what}{noun}{qualified(number(abs(rounded), decimals), PP, qualifier)}"


def contribution(value: Decimal, decimals: int = 0, *, what: str = "", qualifier: str = "") -> str:
    """贡献率达86% / 对全部投资增长的贡献率达86% (为 when not positive; a bound needs no 达: 贡献率超过80%)."""
    subject = f"对{what}增长的贡献率" if what else "贡献率"
    verb = "达" if round_figure(value, decimals, qualifier) > 0 else "为"
    return tidy_qualifiers(subject + verb + rate(value, decimals, qualifier))


def share(value: Decimal, decimals: int = 1, *, of: str = "", qualifier: str = "") -> str:
    """占全部规模以上工业增加值的35.5%; without ``of``: 占比35.5%."""
    text = rate(value, decimals, qualifier)
    return f"占{of}的{text}" if of else f"占比{text}"


def dun_list(items: Iterable[object]) -> str:
    """Items joined by 顿号 only, as the source lists provinces: 福建、安徽、河南、湖南."""
    return "、".join(_texts(items))


def and_list(items: Iterable[object]) -> str:
    """Items joined the …和… way: A和B; A、B和C (分别增长6.5%和6.3%)."""
    texts = _texts(items)
    if len(texts) == 1:
        return texts[0]
    return "、".join(texts[:-1]) + "和" + texts[-1]


def _texts(items: Iterable[object]) -> list[str]:
    texts = [str(item) for item in items]
    if not texts:
        raise ValueError("an empty list has no Chinese wording; guard it with {% if … %}")
    return texts


def respectively(values: Sequence[Decimal], decimals: int = 1, *, unit: str = "%",
                 qualifiers: Sequence[str] | None = None) -> str:
    """Growth of several items in one clause: 分别增长6.5%和6.3%; 均增长6.5%; 分别增长6.5%和下降1.2%.

    ``qualifiers`` (one per value, "" for none) keep each bound in the list:
    分别增长8%以上和6.5%; a bound keeps the digits it was stored with (8, not 8.0).
    """
    marks = list(qualifiers) if qualifiers is not None else [""] * len(values)
    if len(marks) != len(values):
        raise ValueError(f"expected one qualifier per value ({len(values)}), found {len(marks)}")
    phrases = [growth(v, shown_decimals(v, decimals, q), unit=unit, qualifier=q) for v, q in zip(values, marks)]
    if len(phrases) == 1:
        return phrases[0]
    if len(set(phrases)) == 1:
        return "均" + phrases[0]
    verbs = {p[:2] for p in phrases}
    if len(verbs) == 1 and "持平" not in verbs:
        return "分别" + phrases[0][:2] + and_list(p[2:] for p in phrases)
    return "分别" + and_list(phrases)


_NUMERAL = r"(?=[0-9一二三四五六七八九十两百千万亿几数])"  # a qualifier only counts before a number
_REACH_OVER = re.compile(r"达到?(?:超过|超)" + _NUMERAL)
_REACH_NEAR = re.compile(r"达到?(近|约)" + _NUMERAL)


def tidy_qualifiers(text: str) -> str:
    """No verb doubles a qualifier: 达到超过12亿户 / 达超12亿户 → 超过12亿户; 达近40万人 → 近40万人.

    A template writes 达{{ f }} for a plain figure; when the figure is a bound the
    qualifier already says how far it reaches, so 达/达到 goes.
    """
    return _REACH_NEAR.sub(r"\1", _REACH_OVER.sub("超过", text))
