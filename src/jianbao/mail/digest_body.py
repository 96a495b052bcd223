"""The whole digest as the mail's HTML body (``[mail] body = "digest"``), from the HTML writer's page.

Mail clients are not browsers: Outlook on Windows renders with Word's engine and
some webmail drops ``<style>`` blocks, so every rule is inlined onto its elements
(css-inline); the block stays too, for the clients that honour its phone-width rules.
Data URIs are blocked or stripped by most clients, so each chart becomes a CID
image: a ``multipart/related`` part beside the HTML, which Outlook, Foxmail and
webmail all show inline.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

_DATA_URI = re.compile(r'src="data:image/(png|jpeg|gif);base64,([A-Za-z0-9+/=\s]+)"')
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)


@dataclass(frozen=True)
class InlineImage:
    cid: str  # without the angle brackets
    data: bytes
    subtype: str  # png | jpeg | gif


def mail_html(page: bytes, domain: str) -> tuple[str, list[InlineImage]]:
    """The digest page's body with its styles inlined and its pictures as ``cid:`` references."""
    import css_inline

    inlined = css_inline.CSSInliner(keep_style_tags=True).inline(page.decode("utf-8"))
    styles = "".join(re.findall(r"<style[^>]*>.*?</style>", inlined, re.S | re.I))
    found = _BODY.search(inlined)
    body = found.group(1) if found else inlined
    images: dict[str, InlineImage] = {}

    def to_cid(match: re.Match) -> str:
        data = base64.b64decode("".join(match.group(2).split()))
        cid = f"{hashlib.sha256(data).hexdigest()[:16]}@{domain}"
        images.setdefault(cid, InlineImage(cid, data, match.group(1)))
        return f'src="cid:{cid}"'

    return styles + _DATA_URI.sub(to_cid, body), list(images.values())
