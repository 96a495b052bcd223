"""What a reader sees of a built digest's pages, as numbers (the closing notes' before/after).

    python benchmarks/layout.py reports/2025H1

Reads the folder's PDF and DOCX with the same readers as the tests (pdftoppm for blank
space, pdftotext -bbox for widows, orphans and characters per line, pypdf, python-docx).
"""

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "writers")]

import docx  # noqa: E402
import pypdf  # noqa: E402
from test_pagination import blank_shares, body_lines  # noqa: E402
from test_presets import characters_per_line  # noqa: E402

folder = Path(sys.argv[1])
pdf = next(folder.glob('*.pdf')); dx = next(folder.glob('*.docx'))
r = pypdf.PdfReader(pdf)
out = {'pages': len(r.pages)}
top = [i for i in r.outline if not isinstance(i, list)]
def flat(items): return sum((flat(i) if isinstance(i, list) else [i] for i in items), [])
out['pdf_bookmarks'] = len(flat(r.outline))
starts = [r.get_destination_page_number(i) for i in top if i.title.startswith(('一','二','三','四','五','六','七','附'))]
appendix = [r.get_destination_page_number(i) for i in top if i.title.startswith('附')]
out['appendix_pages'] = len(r.pages) - appendix[0] if appendix else None
with tempfile.TemporaryDirectory() as t:
    shares = blank_shares(pdf, Path(t))
ch = starts[:-1] if appendix else starts
last = {s - 1 for s in ch[1:]} | ({appendix[0] - 1} if appendix else set())
body = [n for n in range(ch[0], appendix[0] if appendix else len(r.pages)) if n not in last]
out['body_pages_over_25pct_blank'] = [n + 1 for n in body if shares[n] > 0.25]
out['white_pages_equiv_body'] = round(sum(shares[n] for n in range(ch[0], appendix[0] if appendix else len(r.pages))), 1)
lines, left, right = body_lines(pdf)
orph = wid = 0
for b, a in zip(lines, lines[1:]):
    if a.page == b.page + 1 and abs(a.x0 - left) < 1 and abs(b.x1 - right) < 2:
        if abs(b.x0 - left - 32) < 1: orph += 1
        pa = [l for l in lines if l.page == a.page]; f = pa[1] if len(pa) > 1 else None
        if abs(a.x1 - right) > 2 and (f is None or abs(f.x0 - left) > 1): wid += 1
out['orphans'] = orph; out['widows'] = wid
c = characters_per_line(pdf); out['chars_per_full_line_mode'] = c.most_common(1)[0][0]
w = docx.Document(str(dx))
out['docx_toc_entries'] = sum(1 for p in w.paragraphs if p.style.name.startswith('toc'))
out['docx_toc_numbers'] = sum(1 for p in w.paragraphs if p.style.name.startswith('toc') and p.text.split('\t')[-1].strip().isdigit())
z = zipfile.ZipFile(dx)
s = z.read('word/settings.xml').decode()
out['updateFields'] = 'updateFields' in s
out['compat'] = re.search(r'compatibilityMode" w:uri="[^"]*" w:val="(\d+)"', s).group(1)
d = z.read('word/document.xml').decode()
out['seq_fields'] = d.count(' SEQ ')
links = sum(1 for p in r.pages for a in (p.get('/Annots') or []) if a.get_object().get('/Dest') is not None)
out['pdf_internal_links'] = links
fonts = subprocess.run(['pdffonts', str(pdf)], capture_output=True, text=True).stdout
out['pdf_latin_font'] = 'LiberationSerif' in fonts
print(out)
