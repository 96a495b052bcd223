"""Build the mail for one recipient: subject and bodies from templates, both documents attached.

Subject, HTML body and plain-text body come from ``templates/email/`` through
the narrative engine's sandboxed Jinja2 environment, so a project overrides
them like any other template; the HTML is rendered with autoescaping, so data
text cannot inject markup. Attachment names are Chinese: the standard
library's ``default`` policy writes them as RFC 2231 parameters
(``filename*=utf-8''…``), which Outlook, Thunderbird and webmail decode.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from jianbao.atomic import write_bytes_atomic
from jianbao.mail.address import check_header_value
from jianbao.mail.config import MailConfig
from jianbao.mail.digest_body import InlineImage, mail_html
from jianbao.mail.errors import MailConfigError
from jianbao.manifest import DOCUMENT_FORMATS, Manifest
from jianbao.narrative.env import TemplateProblem, make_environment, render_template
from jianbao.project import Project

SUBJECT_TEMPLATE = "email/subject.txt.j2"
HTML_TEMPLATE = "email/body.html.j2"
TEXT_TEMPLATE = "email/body.txt.j2"

# Attachment order and MIME types: the Word file first, as readers edit it.
_MIME = {
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("application", "pdf"),
}


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    maintype: str
    subtype: str


@dataclass(frozen=True)
class EmailContent:
    """What every recipient reads; rendered once per send."""

    subject: str
    html: str
    text: str
    images: tuple[InlineImage, ...] = ()  # the digest's charts, shown inline in the HTML body


def mailed_formats(config: MailConfig) -> tuple[str, ...]:
    """What a send needs built and current: the documents, and the HTML digest for a digest body."""
    return (*DOCUMENT_FORMATS, "html") if config.body == "digest" else DOCUMENT_FORMATS


def load_output(project: Project, manifest: Manifest, fmt: str) -> bytes:
    """One built output's bytes (``check_current`` has verified its hash)."""
    return (project.period_dir(manifest.period, manifest.region) / manifest.output(fmt).file).read_bytes()


def load_attachments(project: Project, manifest: Manifest) -> list[Attachment]:
    """The built documents, read as they are (check_current has verified their hashes)."""
    folder = project.period_dir(manifest.period, manifest.region)
    attachments = []
    for fmt, (maintype, subtype) in _MIME.items():
        output = manifest.output(fmt)
        if output is not None:
            data = (folder / output.file).read_bytes()
            attachments.append(Attachment(output.file, data, maintype, subtype))
    return attachments


def render_content(project: Project, manifest: Manifest, attachments: list[Attachment],
                   digest_page: bytes | None = None, domain: str = "jianbao") -> EmailContent:
    """Subject and bodies from the email templates; MailConfigError names a template that fails.

    With ``digest_page`` (the built HTML digest, ``[mail] body = "digest"``) the HTML body
    carries the whole digest, its charts as CID images; else the key points.
    """
    digest_html, images = mail_html(digest_page, domain) if digest_page is not None else ("", [])
    context = {
        "digest": manifest.summary,
        "period": manifest.period,
        "unit": project.config.digest.unit,
        "author": project.config.digest.author,
        "attachments": [a.filename for a in attachments],
        "digest_html": Markup(digest_html),  # the HTML writer's own escaped markup
    }
    text_env = make_environment(project.templates_dir, autoescape=False)
    html_env = make_environment(project.templates_dir, autoescape=True)
    subject = _render(text_env, SUBJECT_TEMPLATE, context).strip()  # a line break inside is refused later
    if not subject:
        raise MailConfigError(f"{SUBJECT_TEMPLATE}: rendered an empty subject")
    return EmailContent(
        subject=subject,
        html=_render(html_env, HTML_TEMPLATE, context),
        text=_render(text_env, TEXT_TEMPLATE, context),
        images=tuple(images),
    )


def _render(env: Environment, name: str, context: dict[str, object]) -> str:
    try:
        return render_template(env, name, context)
    except TemplateProblem as exc:
        raise MailConfigError(f"email template {exc}") from None


def build_message(
    *,
    sender: Address,
    recipient: Address,
    reply_to: Address | None,
    content: EmailContent,
    attachments: list[Attachment],
    date: datetime | None = None,
) -> EmailMessage:
    """One multipart/mixed message: text and HTML alternatives, then the documents."""
    msg = EmailMessage(policy=SMTP)
    headers = {
        "Subject": content.subject,
        "From": str(sender),
        "To": str(recipient),
        "Date": format_datetime((date or datetime.now()).astimezone()),
        "Message-ID": make_msgid(idstring="jianbao", domain=sender.domain),
    }
    if reply_to is not None:
        headers["Reply-To"] = str(reply_to)
    for name, value in headers.items():
        try:
            msg[name] = check_header_value(name, value)
        except ValueError as exc:
            raise MailConfigError(str(exc)) from None
    # base64 keeps Chinese text intact through servers without 8BITMIME.
    msg.set_content(content.text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(content.html, subtype="html", charset="utf-8", cte="base64")
    html = msg.get_body(("html",))
    for image in content.images:  # multipart/related beside the HTML: shown inline, not as attachments
        html.add_related(image.data, maintype="image", subtype=image.subtype, cid=f"<{image.cid}>")
    for a in attachments:
        msg.add_attachment(a.data, maintype=a.maintype, subtype=a.subtype, filename=a.filename)
    return msg


def eml_name(index: int, recipient: Address) -> str:
    """A file name for the dry-run outbox that sorts in send order and is safe on every OS."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "@._+-") else "_" for c in recipient.addr_spec)
    return f"{index:03d}-{safe}.eml"


def write_eml(folder: Path, index: int, recipient: Address, msg: EmailMessage) -> Path:
    path = folder / eml_name(index, recipient)
    write_bytes_atomic(path, msg.as_bytes())
    return path
