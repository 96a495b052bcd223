"""Message building: RFC 2231 attachment names, escaped HTML, header checks, template overrides."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from jianbao.mail import MailConfigError, send
from jianbao.mail.address import parse_address
from jianbao.mail.message import Attachment, EmailContent, build_message
from mail_support import PDF_NAME, PERIOD, mail_settings

CONTENT = EmailContent(subject="工业和信息化发展简报第1期（2025年上半年）", html="<p>要点</p>", text="要点")
PDF = Attachment(PDF_NAME, b"%PDF-1.4 test bytes", "application", "pdf")


def build(**overrides):
    args = dict(
        sender=parse_address("工业和信息化发展简报 <briefing@example.cn>"),
        recipient=parse_address("王主任 <wang@example.gov.cn>"),
        reply_to=None,
        content=CONTENT,
        attachments=[PDF],
    )
    args.update(overrides)
    return build_message(**args)


def test_chinese_attachment_names_are_rfc2231_encoded_and_decode_back():
    raw = build().as_bytes()

    assert raw.isascii()  # 7-bit clean: no server can mangle it
    # 工业… percent-encoded as an RFC 2231 extended parameter; a long name continues in filename*1* (RFC 2231 §3).
    assert re.search(rb"filename\*(0\*)?=utf-8''%E5%B7%A5%E4%B8%9A", raw)
    assert b"=?utf-8?" not in raw.split(b"Content-Disposition", 1)[1].split(b"\r\n\r\n", 1)[0]
    parsed = message_from_bytes(raw, policy=default_policy)
    [part] = parsed.iter_attachments()
    assert part.get_filename() == PDF_NAME and part.get_content() == PDF.data


def test_headers_are_encoded_and_dated_in_rfc5322_form():
    msg = build()
    raw = msg.as_bytes()

    assert b"\r\n" in raw and b"Subject: =?utf-8?" in raw  # CRLF line ends, RFC 2047 subject
    parsed = message_from_bytes(raw, policy=default_policy)
    assert parsed["Subject"] == CONTENT.subject
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}", parsed["Date"])
    assert re.fullmatch(r"<[^<>@\s]+@example\.cn>", parsed["Message-ID"])
    assert parsed.get_content_type() == "multipart/mixed"
    assert [p.get_content_type() for p in parsed.walk()][:4] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html",
    ]


@pytest.mark.parametrize("subject", ["简报\r\nBcc: spy@example.com", "简报\nX-Evil: 1", "简报\r"])
def test_a_line_break_in_a_header_value_is_refused(subject):
    with pytest.raises(MailConfigError, match="line breaks"):
        build(content=EmailContent(subject=subject, html="", text=""))


def test_a_project_template_overrides_the_built_in_subject(make_project, smtp_server):
    server = smtp_server()
    built = make_project(mail_settings(server))
    (built.root / "templates" / "email").mkdir(parents=True)
    (built.root / "templates" / "email" / "subject.txt.j2").write_text(
        "【{{ digest.period_label }}】{{ digest.name }}\n", encoding="utf-8"
    )
    built.build()  # templates are inputs: rebuild before sending

    send(built.project, PERIOD, env={}, to=["li@example.gov.cn"])

    msg = message_from_bytes(server.handler.received[0].data, policy=default_policy)
    assert msg["Subject"] == "【2025年上半年】工业和信息化发展简报"


def test_a_template_that_renders_a_line_break_into_the_subject_sends_nothing(make_project, smtp_server):
    server = smtp_server()
    built = make_project(mail_settings(server))
    (built.root / "templates" / "email").mkdir(parents=True)
    (built.root / "templates" / "email" / "subject.txt.j2").write_text(
        "{{ digest.name }}\nBcc: spy@example.com\n", encoding="utf-8"
    )
    built.build()

    with pytest.raises(MailConfigError, match="line breaks"):
        send(built.project, PERIOD, env={})
    assert server.handler.rcpt_attempts == {}


def test_a_broken_template_is_named(make_project):
    built = make_project(mail_settings(None))
    (built.root / "templates" / "email").mkdir(parents=True)
    (built.root / "templates" / "email" / "body.html.j2").write_text("<p>{{ digest.nosuch }}</p>\n", encoding="utf-8")
    built.build()

    with pytest.raises(MailConfigError) as err:
        send(built.project, PERIOD, env={}, dry_run=True)
    assert "body.html.j2" in str(err.value) and "nosuch" in str(err.value)
