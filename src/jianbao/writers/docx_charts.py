"""Native DOCX charts: a DrawingML chart part with its data in an embedded workbook.

A reader can restyle such a chart in Word or WPS and edit its numbers (图表工具 → 编辑数据),
which a picture does not allow. Every number and label is also cached in the chart part
(``c:strCache``/``c:numCache``), so a reader that never opens the workbook (LibreOffice,
a previewer) still draws it. Labels are the published texts: a point whose text a number
format cannot give (超过510, 14万) carries its text as a data label of its own.

The chart XML follows ECMA-376 Part 1, §21.2 (DrawingML Charts), elements in schema order.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import datetime
from xml.sax.saxutils import escape

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from lxml import etree

from jianbao.ir import NativeChart, NativeSeries
from jianbao.theme import Theme

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
EMU_PER_MM = 36000
EMU_PER_PT = 12700
SHEET = "Sheet1"
GRID = "D9D9D9"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entry stamp, as the DOCX's own (docx_package.ZIP_EPOCH)
# axis ids: the bar (or only) group on 1/2, a bar_line's line group on 3/4
CAT, VAL, CAT2, VAL2 = 10, 20, 30, 40


class ChartPart(Part):
    """A chart part whose XML is set after it is related to its workbook (it names that rId)."""

    def set_blob(self, blob: bytes) -> None:
        self._blob = blob


def add_native_chart(document_part, chart: NativeChart, width_mm: float, height_mm: float, theme: Theme,
                     name: str) -> etree._Element:
    """Add the chart part and its workbook to the package; returns the ``wp:inline`` to place in a run."""
    package = document_part.package
    chart_name = package.next_partname("/word/charts/chart%d.xml")
    number = int(re.search(r"(\d+)\.xml$", chart_name).group(1))
    workbook = Part(PackURI(f"/word/embeddings/Microsoft_Excel_Worksheet{number}.xlsx"), CT.SML_SHEET,
                    workbook_bytes(chart), package)
    part = ChartPart(chart_name, CT.DML_CHART, b"", package)
    workbook_rid = part.relate_to(workbook, RT.PACKAGE)
    part.set_blob(chart_xml(chart, theme, workbook_rid))
    rid = document_part.relate_to(part, RT.CHART)
    shape_id = document_part.next_id
    return parse_xml(
        f'<wp:inline distT="0" distB="0" distL="0" distR="0" xmlns:wp="{WP_NS}" xmlns:a="{A_NS}" '
        f'xmlns:c="{C_NS}" xmlns:r="{R_NS}">'
        f'<wp:extent cx="{round(width_mm * EMU_PER_MM)}" cy="{round(height_mm * EMU_PER_MM)}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="图表 {shape_id}" descr={_attr(name)}/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="{C_NS}"><c:chart r:id="{rid}"/></a:graphicData></a:graphic>'
        "</wp:inline>"
    )


# -- the workbook ------------------------------------------------------------
def workbook_bytes(chart: NativeChart) -> bytes:
    """Categories in column A, one series a column from B, names in row 1; byte-stable."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([""] + [_series_name(s, i) for i, s in enumerate(chart.series)])
    for k, category in enumerate(chart.categories):
        sheet.append([category] + [_value(s, k) for s in chart.series])
    sheet.column_dimensions["A"].width = max([10, *(len(c) * 2 + 2 for c in chart.categories)])
    stamp = datetime(2000, 1, 1)
    book.properties.creator = "jianbao"
    book.properties.created = book.properties.modified = stamp
    raw = io.BytesIO()
    book.save(raw)
    return _stable_zip(raw.getvalue(), stamp)


def _stable_zip(data: bytes, stamp: datetime) -> bytes:
    """openpyxl stamps entries and docProps/core.xml with the clock: pin both, so a DOCX is reproducible."""
    fixed = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + fixed, body)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, body)
    return out.getvalue()


def _series_name(series: NativeSeries, index: int) -> str:
    return series.name or f"系列{index + 1}"


def _value(series: NativeSeries, k: int) -> float | None:
    return series.values[k] if k < len(series.values) else None


def _column(index: int) -> str:
    """Sheet column of series ``index`` (B, C, …; a chart has far fewer than 25 series)."""
    return chr(ord("B") + index)


# -- the chart part ------------------------------------------------------------
def chart_xml(chart: NativeChart, theme: Theme, workbook_rid: str) -> bytes:
    """The ``c:chartSpace`` of one chart, its text in the theme's chart font and size."""
    w = _Writer(chart, theme)
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
        '<c:date1904 val="0"/><c:lang val="zh-CN"/><c:roundedCorners val="0"/>'
        '<c:chart><c:autoTitleDeleted val="1"/>'
        f"<c:plotArea><c:layout/>{w.plot_groups()}</c:plotArea>{w.legend()}"
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        f'<c:spPr><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill><a:ln><a:noFill/></a:ln></c:spPr>'
        f"{w.text_properties()}"
        f'<c:externalData r:id="{workbook_rid}"><c:autoUpdate val="0"/></c:externalData>'
        "</c:chartSpace>"
    ).encode("utf-8")


class _Writer:
    """The XML pieces of one chart; series are numbered across its plot groups."""

    def __init__(self, chart: NativeChart, theme: Theme) -> None:
        self.chart = chart
        self.colors = [c.lstrip("#").upper() for c in theme.colors["chart"]]
        self.text_color = theme.colors.get("text", "#000000").lstrip("#").upper()
        charts = theme.raw.get("charts", {})
        self.size = round(float(charts.get("font_size", 10.5)) * 100)  # DrawingML sizes: 1/100 pt
        self.font = theme.docx_font(charts.get("font", "hei"))
        self.n = len(chart.categories)

    # -- groups -----------------------------------------------------------
    def plot_groups(self) -> str:
        c = self.chart
        if c.kind in ("pie", "donut"):
            return self.pie()
        if c.kind == "line" or all(s.type == "line" for s in c.series):
            return self.line_group(list(enumerate(c.series)), CAT, VAL) + self.axes(CAT, VAL)
        bars = [(i, s) for i, s in enumerate(c.series) if s.type != "line"]
        lines = [(i, s) for i, s in enumerate(c.series) if s.type == "line"]
        out = self.bar_group(bars) + (self.line_group(lines, CAT2, VAL2) if lines else "")
        out += self.axes(CAT, VAL)
        if lines:
            out += self.axes(CAT2, VAL2, secondary=True)
        return out

    def bar_group(self, series: list[tuple[int, NativeSeries]]) -> str:
        c = self.chart
        stacked = c.stacked
        position = "ctr" if stacked else "outEnd"
        sers = "".join(
            f"<c:ser>{self.ser_head(i, s)}{self.fill(self.bar_color(i))}<c:invertIfNegative val=\"0\"/>"
            f"{self.labels(s, position, white=stacked)}{self.cat_val(i, s)}</c:ser>"
            for i, s in series)
        gap = 80 if stacked or len(series) == 1 else 50
        overlap = '<c:overlap val="100"/>' if stacked else ""
        return (f'<c:barChart><c:barDir val="{"bar" if c.horizontal else "col"}"/>'
                f'<c:grouping val="{"stacked" if stacked else "clustered"}"/><c:varyColors val="0"/>'
                f'{sers}<c:gapWidth val="{gap}"/>{overlap}<c:axId val="{CAT}"/><c:axId val="{VAL}"/></c:barChart>')

    def line_group(self, series: list[tuple[int, NativeSeries]], cat: int, val: int) -> str:
        sers = "".join(
            f"<c:ser>{self.ser_head(i, s)}"
            f'<c:spPr><a:ln w="{round(1.6 * EMU_PER_PT)}" cap="rnd">{self.solid(self.color(i))}'
            '<a:round/></a:ln></c:spPr>'
            f'<c:marker><c:symbol val="circle"/><c:size val="5"/>{self.fill(self.color(i))}</c:marker>'
            f'{self.labels(s, "t")}{self.cat_val(i, s)}<c:smooth val="0"/></c:ser>'
            for i, s in series)
        return (f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>{sers}'
                f'<c:marker val="1"/><c:axId val="{cat}"/><c:axId val="{val}"/></c:lineChart>')

    def pie(self) -> str:
        c = self.chart
        s = c.series[0]
        points = "".join(
            f'<c:dPt><c:idx val="{k}"/><c:bubble3D val="0"/>'
            f'<c:spPr>{self.solid(self.slice_color(k))}<a:ln w="{EMU_PER_PT}">{self.solid("FFFFFF")}</a:ln>'
            "</c:spPr></c:dPt>"
            for k in range(self.n))
        donut = c.kind == "donut"
        # a doughnut takes no label position (Word refuses the file); a pie's go just outside the rim
        ser = (f"<c:ser>{self.ser_head(0, s)}{points}"
               f"{self.labels(s, None if donut else 'outEnd', names=True, white=donut)}{self.cat_val(0, s)}</c:ser>")
        if donut:
            return (f'<c:doughnutChart><c:varyColors val="1"/>{ser}<c:firstSliceAng val="0"/>'
                    '<c:holeSize val="55"/></c:doughnutChart>')
        return f'<c:pieChart><c:varyColors val="1"/>{ser}<c:firstSliceAng val="0"/></c:pieChart>'

    # -- series -----------------------------------------------------------
    def ser_head(self, i: int, s: NativeSeries) -> str:
        name = _series_name(s, i)
        return (f'<c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:strRef><c:f>{SHEET}!${_column(i)}$1</c:f>'
                f'<c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>{escape(name)}</c:v></c:pt></c:strCache>'
                "</c:strRef></c:tx>")

    def cat_val(self, i: int, s: NativeSeries) -> str:
        last = self.n + 1
        cats = "".join(f'<c:pt idx="{k}"><c:v>{escape(t)}</c:v></c:pt>' for k, t in enumerate(self.chart.categories))
        vals = "".join(f'<c:pt idx="{k}"><c:v>{_number(v)}</c:v></c:pt>'
                       for k in range(self.n) if (v := _value(s, k)) is not None)
        col = _column(i)
        return (f"<c:cat><c:strRef><c:f>{SHEET}!$A$2:$A${last}</c:f><c:strCache><c:ptCount val=\"{self.n}\"/>"
                f"{cats}</c:strCache></c:strRef></c:cat>"
                f"<c:val><c:numRef><c:f>{SHEET}!${col}$2:${col}${last}</c:f><c:numCache>"
                f"<c:formatCode>{escape(self.format_code(s))}</c:formatCode><c:ptCount val=\"{self.n}\"/>{vals}"
                "</c:numCache></c:numRef></c:val>")

    def format_code(self, s: NativeSeries, unit: bool = False) -> str:
        """The number format that prints the series' values as published (their decimals)."""
        decimals = max([len(m.group(1)) for t in s.labels if (m := re.fullmatch(r"-?\d+(?:\.(\d+))?", t)
                                                             ) and m.group(1)] + [0])
        code = "0." + "0" * decimals if decimals else "0"
        return f'{code}"%"' if unit else code

    def labels(self, s: NativeSeries, position: str | None, *, names: bool = False, white: bool = False) -> str:
        """Values as labels; a point whose published text the format cannot print gets that text."""
        percent = names and self.chart.left_unit == "%"
        code = self.format_code(s, unit=percent)
        decimals = len(code.split('"')[0].partition(".")[2])
        pos = f'<c:dLblPos val="{position}"/>' if position else ""
        flags = (f'<c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="{int(names)}"/>'
                 '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/>')
        separator = "<c:separator>\n</c:separator>" if names else ""
        txpr = self.text_properties("FFFFFF") if white else ""
        own = []
        for k in range(self.n):
            value, text = _value(s, k), s.labels[k] if k < len(s.labels) else ""
            if value is None or not text or text == f"{value:.{decimals}f}":
                continue
            lines = [self.chart.categories[k]] if names else []
            lines.append(text + ("%" if percent else ""))
            rich = "".join(f'<a:p><a:r><a:rPr lang="zh-CN"/><a:t>{escape(line)}</a:t></a:r></a:p>' for line in lines)
            own.append(f'<c:dLbl><c:idx val="{k}"/><c:tx><c:rich><a:bodyPr/><a:lstStyle/>{rich}</c:rich></c:tx>'
                       f"{txpr}{pos}{flags}{separator}</c:dLbl>")
        leaders = '<c:showLeaderLines val="0"/>' if names else ""
        return (f'<c:dLbls>{"".join(own)}<c:numFmt formatCode={_attr(code)} sourceLinked="0"/>'
                f'<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>{txpr}{pos}{flags}{separator}'
                f"{leaders}</c:dLbls>")

    # -- axes -------------------------------------------------------------
    def axes(self, cat: int, val: int, secondary: bool = False) -> str:
        """Category axis then value axis; a secondary pair hides its category axis, values on the right."""
        c = self.chart
        horizontal = c.horizontal and not secondary
        unit = c.right_unit if secondary else c.left_unit
        line = f'<c:spPr><a:ln w="{round(0.75 * EMU_PER_PT)}">{self.solid(self.text_color)}</a:ln></c:spPr>'
        # horizontal bars read from the top, as in the picture: categories run max to min, values below
        cat_axis = (f'<c:catAx><c:axId val="{cat}"/>'
                    f'<c:scaling><c:orientation val="{"maxMin" if horizontal else "minMax"}"/></c:scaling>'
                    f'<c:delete val="{int(secondary)}"/><c:axPos val="{"l" if horizontal else "b"}"/>'
                    '<c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="none"/>'
                    f'<c:minorTickMark val="none"/><c:tickLblPos val="low"/>{line}{self.text_properties(level=True)}'
                    f'<c:crossAx val="{val}"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
                    '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>')
        grid = ("" if secondary else
                f'<c:majorGridlines><c:spPr><a:ln w="{round(0.5 * EMU_PER_PT)}">{self.solid(GRID)}</a:ln>'
                "</c:spPr></c:majorGridlines>")
        title = (f"<c:title><c:tx><c:rich><a:bodyPr rot=\"{0 if horizontal else -5400000}\" vert=\"horz\"/>"
                 f'<a:lstStyle/><a:p><a:pPr><a:defRPr b="0"/></a:pPr><a:r><a:rPr lang="zh-CN" b="0"/>'
                 f"<a:t>{escape('单位：' + unit)}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val=\"0\"/></c:title>"
                 if unit else "")
        crosses = "max" if secondary or horizontal else "autoZero"
        position = "r" if secondary else ("b" if horizontal else "l")
        value_axis = (f'<c:valAx><c:axId val="{val}"/><c:scaling><c:orientation val="minMax"/>'
                      f"{self.axis_floor(secondary)}</c:scaling>"
                      f'<c:delete val="0"/><c:axPos val="{position}"/>{grid}{title}'
                      '<c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="out"/>'
                      f'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{line}'
                      f'<c:crossAx val="{cat}"/><c:crosses val="{crosses}"/><c:crossBetween val="between"/>'
                      "</c:valAx>")
        return cat_axis + value_axis

    def axis_floor(self, secondary: bool) -> str:
        """The value axis' c:max/c:min (schema order: max, then min).

        Bars rise from zero (an axis from 6.15 would make 6.3 look twice 6.5); shares stacked
        to 100 end at 100. A bar_line keeps its bars in the lower half and its line in a band
        above them (as ``charts.draw`` does), so the line never runs through the bars.
        """
        c = self.chart
        axis = "right" if secondary else "left"
        values = [v for s in c.series if s.axis == axis for v in s.values if v is not None]
        if not values or c.kind == "line":
            return ""
        if c.kind == "bar_line":
            band = _line_band(values) if secondary else _bar_band(values)
            if band:
                low, high, step = band
                return f'<c:max val="{_number(high)}"/><c:min val="{_number(low)}"/>'
            return ""
        if min(values) < 0:
            return ""
        top = '<c:max val="100"/>' if c.stacked and c.remainder else ""
        return f'{top}<c:min val="0"/>'

    def legend(self) -> str:
        """Below the plot when more than one series is named (as the picture has it); pies label their slices."""
        c = self.chart
        if c.kind in ("pie", "donut") or len(c.series) < 2 or not any(s.name for s in c.series):
            return ""
        return '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'

    # -- formatting -------------------------------------------------------
    def text_properties(self, color: str | None = None, level: bool = False) -> str:
        """Chart text in the theme's font and size; ``level`` keeps category labels unrotated
        (wrapped rather than turned 45°, as the picture wraps them)."""
        color = color or self.text_color
        font = _attr(self.font)
        body = '<a:bodyPr rot="0" vert="horz"/>' if level else "<a:bodyPr/>"
        return (f'<c:txPr>{body}<a:lstStyle/><a:p><a:pPr><a:defRPr sz="{self.size}" b="0">'
                f"{self.solid(color)}<a:latin typeface={font}/><a:ea typeface={font}/><a:cs typeface={font}/>"
                '</a:defRPr></a:pPr><a:endParaRPr lang="zh-CN"/></a:p></c:txPr>')

    def color(self, i: int) -> str:
        return self.colors[i % len(self.colors)]

    def bar_color(self, i: int) -> str:
        """A remainder series (其他, the last of a stacked bar) in the muted last colour, as drawn."""
        if self.chart.remainder and self.chart.stacked and i == len(self.chart.series) - 1:
            return self.colors[-1]
        return self.color(i)

    def slice_color(self, k: int) -> str:
        """Slices cycle all but the last colour, which marks a remainder slice (charts.draw._pie)."""
        if self.chart.remainder and k == self.n - 1:
            return self.colors[-1]
        return self.colors[k % max(1, len(self.colors) - 1)]

    @staticmethod
    def solid(color: str) -> str:
        return f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'

    def fill(self, color: str) -> str:
        return f"<c:spPr>{self.solid(color)}</c:spPr>"


def _nice_step(span: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at least ``span``."""
    span = max(span, 1e-9)
    power = 10 ** math.floor(math.log10(span))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= span * (1 - 1e-9))


def _bar_band(values: list[float]) -> tuple[float, float, float] | None:
    """Bars up to half the height: 0 to 10 steps over twice the highest (None for negative bars)."""
    if min(values) < 0 or max(values) <= 0:
        return None
    step = _nice_step(max(values) * 2 / 5)
    return 0.0, 5 * step, step


def _line_band(values: list[float]) -> tuple[float, float, float]:
    """A line between about 60% and 90% of the height: its span is a third of the axis at most."""
    low, high = min(values), max(values)
    span = (high - low) or max(abs(high) * 0.2, 1.0)
    step = _nice_step(span / 0.3 / 5)
    axis = 5 * step
    bottom = math.floor((low - 0.6 * axis) / step) * step
    top = math.ceil((high + 0.1 * axis) / step) * step
    return bottom, top, step


def _number(value: float) -> str:
    """A cached value as Excel stores it: no trailing .0 on whole numbers."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _attr(text: str) -> str:
    return '"' + escape(text, {'"': "&quot;", "\n": "&#10;"}) + '"'
