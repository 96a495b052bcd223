"""Chinese line breaking rules, on a monospaced model: ideographs 1 wide, Latin 0.5."""

from __future__ import annotations

from jianbao.cjk import NO_END, NO_START, break_lines


def lines_of(text: str, width: float, first: float | None = None) -> list[str]:
    advances = [0.5 if c < "\u2000" else 1.0 for c in text]
    spans = break_lines(text, advances, width if first is None else first, width)
    return [text[s.start:s.end] for s in spans]


def test_no_line_starts_with_a_comma_after_a_number():
    # reportlab's CJK wrap gives "…增长10.2%" / "，拉动…" here.
    text = "工业增加值同比增长10.2%，拉动规上工业增长3.4个百分点。"
    for width in range(6, 16):
        lines = lines_of(text, width)
        assert "".join(lines) == text
        assert all(line[0] not in NO_START for line in lines[1:]), (width, lines)
        assert all(line[-1] not in NO_END for line in lines), (width, lines)
        assert not any(line.endswith(("10.", "10.2")) for line in lines), (width, lines)


def test_opening_punctuation_stays_with_what_follows():
    text = "上半年，我国装备制造业延续较好增势（增长10.2%），占规上工业比重提高。"
    for width in range(5, 14):
        lines = lines_of(text, width)
        assert all(line[-1] not in NO_END for line in lines), (width, lines)
        assert all(line[0] not in NO_START for line in lines[1:]), (width, lines)


def test_number_keeps_its_unit_character():
    lines = lines_of("截至6月底我国5G基站总数达到455万个", 13)
    assert lines == ["截至6月底我国5G基站总数达", "到455万个"]


def test_first_line_width_and_spaces_at_the_break():
    spans = break_lines("ab cd 中文字", [0.5] * 6 + [1, 1, 1], 2.5, 2.0)
    assert [(s.start, s.end, s.width) for s in spans] == [(0, 5, 2.5), (6, 8, 2.0), (8, 9, 1.0)]
    assert [s.last for s in spans] == [False, False, True]


def test_a_unit_wider_than_the_line_is_cut():
    lines = lines_of("网址https://example.com/abcdefghij结束", 6)
    assert "".join(lines) == "网址https://example.com/abcdefghij结束"
    assert all(len(line) <= 12 for line in lines)


def test_newline_is_a_hard_break_and_marks_the_last_line():
    text = "第一行文字\n第二行"
    spans = break_lines(text, [1.0] * len(text), 20, 20)
    assert [text[s.start:s.end] for s in spans] == ["第一行文字", "第二行"]
    assert [s.last for s in spans] == [True, True]


def test_empty_text_is_one_empty_line():
    assert [(s.start, s.end, s.last) for s in break_lines("", [], 10, 10)] == [(0, 0, True)]


def test_justification_keeps_numbers_and_words_closed():
    from jianbao.writers.pdf_flow import _justify

    chars = "增长10.2%和AG600"
    spacing = _justify(chars, 6.0)
    inside = [i for i in range(len(chars) - 1) if chars[i].isascii() and chars[i + 1].isascii()]
    assert all(spacing[i] == 0 for i in inside)
    assert sum(spacing[:-1]) == 6.0
