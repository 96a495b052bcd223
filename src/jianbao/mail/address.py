"""Address and header-value checks, done before the first message goes out.

Addresses are parsed with the standard library's header registry (RFC 5322
grammar, display names included), then held to a simple rule set that a
submission server accepts: one mailbox, ASCII local part and domain (no
SMTPUTF8), a dotted domain. Header values may never hold CR or LF, which
would let text from a template or a config file inject headers.
"""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.policy import default as default_policy

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def check_header_value(name: str, value: str) -> str:
    """The value itself, or ValueError when it holds a line break."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"header {name}: line breaks (CR or LF) are not allowed in {value!r}")
    return value


def parse_address(text: str) -> Address:
    """One mailbox such as ``a@example.cn`` or ``简报 <a@example.cn>``; ValueError says what is wrong."""
    if "\r" in text or "\n" in text:
        raise ValueError(f"{text!r}: line breaks (CR or LF) are not allowed in an address")
    try:
        header = default_policy.header_factory("To", text)
    except IndexError:  # the standard library's parser fails so on some strings, such as "a@"
        raise ValueError(f"{text!r}: not one email address") from None
    mailboxes = [a for group in header.groups for a in group.addresses]
    if header.defects or len(mailboxes) != 1:
        raise ValueError(f"{text!r}: not one email address")
    address = mailboxes[0]
    local, domain = address.username, address.domain
    if not local or not domain:
        raise ValueError(f"{text!r}: an address needs a local part and a domain (name@example.cn)")
    if not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        allowed = "ASCII letters, digits and .!#$%&'*+/=?^_`{|}~- only"
        raise ValueError(f"{text!r}: invalid local part {local!r} ({allowed})")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{text!r}: invalid domain {domain!r}")
    return address
