"""Fixtures for the mail tests: a built project and real SMTP servers (see mail_support)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller

from jianbao.scaffold import init_project
from mail_support import Built, Recorder, Server, free_port, password_authenticator


@pytest.fixture
def make_project(tmp_path: Path):
    """make_project(mail_settings, build=True, sample_data=False) → Built.

    data/ holds one observation file, or with ``sample_data`` the sample data
    set of `jianbao init` (what the command line needs to resolve a period).
    """

    def make(mail: dict[str, Any], build: bool = True, sample_data: bool = False) -> Built:
        root = tmp_path / "digest"
        if sample_data:
            init_project(root)
        else:
            (root / "data").mkdir(parents=True, exist_ok=True)
            (root / "data" / "observations.csv").write_text(
                "indicator,period,region,value,unit,qualifier,note\nindustry_va_growth,2025H1,,6.4,%,,\n",
                encoding="utf-8",
            )
        built = Built(root)
        built.write_config(mail)
        if build:
            built.build()
        return built

    return make


@pytest.fixture(scope="session")
def ca(tmp_path_factory) -> tuple[trustme.CA, Path]:
    authority = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return authority, path


@pytest.fixture
def smtp_server(ca) -> Iterator:
    """smtp_server(tls="starttls"|"ssl"|None, auth=False) → Server, stopped after the test."""
    controllers: list[Controller] = []

    def start(tls: str | None = None, auth: bool = False, handler: Recorder | None = None) -> Server:
        authority, cafile = ca
        handler = handler or Recorder()
        port = free_port()
        kwargs: dict[str, Any] = {}
        if tls:
            server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            authority.issue_cert("127.0.0.1").configure_cert(server_ctx)
            if tls == "starttls":
                kwargs.update(tls_context=server_ctx, require_starttls=True)
            else:
                # Implicit TLS: aiosmtpd cannot see it, so AUTH must not wait for STARTTLS.
                kwargs.update(ssl_context=server_ctx, auth_require_tls=False)
        if auth:
            kwargs.update(authenticator=password_authenticator, auth_required=True)
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return Server(port, handler, cafile if tls else None)

    yield start
    for controller in controllers:
        controller.stop()
