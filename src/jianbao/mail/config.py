"""The ``[mail]`` table of jianbao.toml, validated, with environment overrides.

The raw table is kept undigested by ``jianbao.config`` so that a build never
needs mail settings; it is checked here, when mail is used. Every problem is
reported at once, keyed by where it is. The password never lives in the file:
the file names the environment variable that holds it, and the value is kept
in a ``SecretStr`` so that no repr, log line or error message shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from jianbao.config import CONFIG_NAME
from jianbao.errors import problem_list, validation_problems
from jianbao.mail.errors import MailConfigError
from jianbao.mail.address import parse_address
from jianbao.project import Project

Security = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}

ENV_HOST = "JIANBAO_SMTP_HOST"
ENV_PORT = "JIANBAO_SMTP_PORT"
ENV_USER = "JIANBAO_SMTP_USER"
ENV_PASSWORD = "JIANBAO_SMTP_PASSWORD"
ENV_SECURITY = "JIANBAO_SMTP_SECURITY"


def _checked_address(value: str) -> str:
    parse_address(value)  # raises ValueError saying what is wrong
    return value


MailAddress = Annotated[str, AfterValidator(_checked_address)]


class MailConfig(BaseModel):
    """What jianbao.toml's [mail] may hold (the password only by the name of its variable)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Security = "starttls"
    username: str | None = None
    password_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    from_: MailAddress | None = Field(default=None, alias="from")
    reply_to: MailAddress | None = None
    groups: dict[str, list[MailAddress]] = Field(default_factory=dict)  # before `to`, which refers to it
    to: list[str] = Field(default_factory=list)  # addresses or group names
    # A region's digest goes to its own readers: region name → addresses or group names.
    bursts: dict[str, list[str]] = Field(default_factory=dict)
    # The HTML body: "summary" (the key points, the documents attached) or "digest" (the whole
    # digest from the HTML writer, charts inline; needs `build --format ...,html`, which `run` does).
    body: Literal["summary", "digest"] = "summary"
    cafile: Path | None = None  # extra CA bundle, trusted besides the system CAs
    timeout: float = Field(default=30.0, gt=0)  # seconds per socket operation
    # The final reply after the message body: RFC 5321 4.5.3.2.6 gives servers 10 minutes. A timeout there
    # means "maybe delivered" (uncertain), so it must not be as short as `timeout`.
    data_timeout: float = Field(default=600.0, gt=0, le=3600)
    # Seconds a recipient's claim lives without renewal (a heartbeat renews it every third), and how long
    # a second send waits for recipients another send is delivering before it names that send and gives up.
    claim_lease: float = Field(default=60.0, ge=1, le=3600)
    retries: int = Field(default=3, ge=0, le=20)  # retries after the first attempt
    retry_delay: float = Field(default=5.0, ge=0)  # first backoff in seconds; doubles each retry

    @field_validator("to")
    @classmethod
    def _recipients_resolve(cls, to: list[str], info: ValidationInfo) -> list[str]:
        _check_recipients(to, info.data.get("groups", {}))
        return to

    @field_validator("bursts")
    @classmethod
    def _bursts_resolve(cls, bursts: dict[str, list[str]], info: ValidationInfo) -> dict[str, list[str]]:
        for entries in bursts.values():
            _check_recipients(entries, info.data.get("groups", {}))
        return bursts


def _check_recipients(entries: list[str], groups: Mapping[str, list[str]]) -> None:
    bad = [entry for entry in entries if entry not in groups and not _is_address(entry)]
    if bad:
        shown = ", ".join(repr(b) for b in bad)
        raise ValueError(f"{shown}: neither a group of [mail.groups] nor a valid address")


class _EnvOverrides(BaseModel):
    """Environment overrides, validated so a bad value names its variable."""

    model_config = ConfigDict(extra="ignore")

    host: str | None = Field(default=None, alias=ENV_HOST, min_length=1)
    port: int | None = Field(default=None, alias=ENV_PORT, ge=1, le=65535)
    username: str | None = Field(default=None, alias=ENV_USER)
    security: Security | None = Field(default=None, alias=ENV_SECURITY)


class MailSettings(BaseModel):
    """Resolved settings for one send: file values, environment overrides, password."""

    model_config = ConfigDict(frozen=True)

    config: MailConfig
    host: str | None
    port: int
    security: Security
    username: str | None
    password: SecretStr | None
    password_source: str | None  # the variable it came from, for messages

    def require_server(self) -> None:
        """Sending needs a host, and a password when a username is set."""
        problems = []
        if not self.host:
            problems.append(f"mail.host: required to send (set host in [mail] or {ENV_HOST})")
        if self.username and self.password is None:
            var = self.config.password_env or ENV_PASSWORD
            problems.append(f"mail.password_env: the environment variable {var} holding the password is not set")
        if problems:
            raise MailConfigError(problem_list("mail settings incomplete:", problems))


def _is_address(value: str) -> bool:
    try:
        parse_address(value)
    except ValueError:
        return False
    return True


def load_mail_settings(project: Project, env: Mapping[str, str]) -> MailSettings:
    """Validate [mail] and apply the environment; MailConfigError lists every problem."""
    path = project.root / CONFIG_NAME
    raw: dict[str, Any] = dict(project.config.mail or {})
    problems: list[str] = []
    if "password" in raw:
        raw.pop("password")  # never echoed back
        problems.append(
            f"{CONFIG_NAME}: mail.password: a password in the file is refused; remove it, put it in an "
            f'environment variable and name that variable with password_env = "{ENV_PASSWORD}"'
        )
    config: MailConfig | None = None
    try:
        config = MailConfig.model_validate(raw)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, CONFIG_NAME, "mail.{}"))
    overrides = _EnvOverrides()
    try:
        overrides = _EnvOverrides.model_validate({k: v for k, v in env.items() if k.startswith("JIANBAO_SMTP_")})
    except ValidationError as exc:
        problems.extend(validation_problems(exc, "environment"))
    if problems or config is None:
        raise MailConfigError(problem_list(f"{path}: {len(problems)} problem(s) in mail settings", problems))

    security = overrides.security or config.security
    source = ENV_PASSWORD if ENV_PASSWORD in env else (config.password_env or ENV_PASSWORD)
    password_value = env.get(source)
    return MailSettings(
        config=config,
        host=overrides.host or config.host,
        port=overrides.port or config.port or DEFAULT_PORTS[security],
        security=security,
        username=overrides.username or config.username,
        password=SecretStr(password_value) if password_value is not None else None,
        password_source=source if password_value is not None else None,
    )
