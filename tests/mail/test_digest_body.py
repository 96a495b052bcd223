"""`[mail] body = "digest"`: the mail's HTML body is the whole digest, its charts CID images beside it,
its styles inlined; the documents stay attached. Read from the message a real SMTP server received."""

from __future__ import annotations

import email
import re
from email import policy

from jianbao import api
from jianbao.scaffold import init_project
from mail_support import mail_settings, toml_value


def write_mail(root, server, **extra) -> None:
    config = root / "jianbao.toml"
    lines = ["", "[mail]", *(f"{k} = {toml_value(v)}" for k, v in mail_settings(server, **extra).items())]
    config.write_text(config.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")


def received(server) -> email.message.EmailMessage:
    return email.message_from_bytes(server.handler.received[0].data, policy=policy.default)


def test_the_digest_body_carries_the_whole_digest_with_inline_charts(tmp_path, smtp_server):
    server = smtp_server()
    root = init_project(tmp_path / "digest")
    write_mail(root, server, body="digest", to=["wang@example.gov.cn"])
    report = api.run(root, "2025H1")
    assert report.ok, report.summary()
    message = received(server)
    html = message.get_body(("html",)).get_content()
    text = re.sub(r"<[^>]+>", "", html)
    for words in ("本期要点", "一、工业经济总体运行", "七、中小企业", "附：本期数据一览", "规上工业增加值同比增长6.4%"):
        assert words in text, words
    assert "data:image" not in html
    cids = re.findall(r'src="cid:([^"]+)"', html)
    assert len(cids) == 11  # every chart of the sample
    related = {part["Content-ID"].strip("<>"): part for part in message.walk() if part["Content-ID"]}
    for cid in cids:
        part = related[cid]
        assert part.get_content_type() == "image/png" and part.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'style="' in html  # the stylesheet inlined onto the elements, for Outlook and webmail
    attachments = sorted(part.get_filename() for part in message.iter_attachments())
    assert [name.rsplit(".", 1)[1] for name in attachments] == ["docx", "pdf"]


def test_the_summary_body_carries_the_key_points_and_no_pictures(tmp_path, smtp_server):
    server = smtp_server()
    root = init_project(tmp_path / "digest")
    write_mail(root, server, to=["wang@example.gov.cn"])
    assert api.run(root, "2025H1").ok
    message = received(server)
    html = message.get_body(("html",)).get_content()
    assert "本期要点" in html and "规上工业增加值同比增长6.4%" in html
    assert "一、工业经济总体运行" not in html and "cid:" not in html
