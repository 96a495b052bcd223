"""[mail] settings: every problem at once, keyed by file and key; environment overrides; no password in files."""

from __future__ import annotations

import pytest

from jianbao.mail import MailConfigError, load_mail_settings, send
from mail_support import PASSWORD, PERIOD, USER, mail_settings


def test_a_password_in_the_file_is_refused_with_every_other_problem_and_never_echoed(make_project):
    built = make_project(
        mail_settings(None, password=PASSWORD, port="abc", security="tls", hots="x", to=["leaders", "nogroup"])
    )

    with pytest.raises(MailConfigError) as err:
        load_mail_settings(built.project, {})

    message = str(err.value)
    assert str(built.root / "jianbao.toml") in message
    assert "mail.password: a password in the file is refused" in message and "password_env" in message
    assert "jianbao.toml: mail.port:" in message and "'abc'" in message
    assert "jianbao.toml: mail.security:" in message and "'tls'" in message
    assert "jianbao.toml: mail.hots:" in message
    assert "jianbao.toml: mail.to:" in message and "'nogroup'" in message
    assert "5 problem(s)" in message
    assert PASSWORD not in message


def test_bad_addresses_in_the_file_are_named_by_key(make_project):
    built = make_project(
        mail_settings(None, reply_to="analyst@example.cn\r\nBcc: spy@example.com",
                      groups={"leaders": ["li@example.gov.cn", "li at example"]})
    )

    with pytest.raises(MailConfigError) as err:
        load_mail_settings(built.project, {})

    message = str(err.value)
    assert "mail.reply_to:" in message and "line breaks (CR or LF) are not allowed" in message
    assert "mail.groups.leaders.1:" in message and "'li at example'" in message



def test_an_address_the_standard_parser_trips_on_is_a_problem_not_a_traceback(make_project):
    built = make_project(mail_settings(None, to=["wang@"]))

    with pytest.raises(MailConfigError, match=r"jianbao.toml: mail.to: 'wang@': neither a group"):
        load_mail_settings(built.project, {})

def test_environment_overrides_the_file(make_project):
    built = make_project(mail_settings(None, username="file-user", password_env="FILE_PW"))
    env = {
        "JIANBAO_SMTP_HOST": "smtp.example.cn",
        "JIANBAO_SMTP_PORT": "2525",
        "JIANBAO_SMTP_USER": USER,
        "JIANBAO_SMTP_SECURITY": "ssl",
        "JIANBAO_SMTP_PASSWORD": PASSWORD,
        "FILE_PW": "not-this-one",
    }

    settings = load_mail_settings(built.project, env)

    assert (settings.host, settings.port, settings.security) == ("smtp.example.cn", 2525, "ssl")
    assert settings.username == USER
    assert settings.password.get_secret_value() == PASSWORD
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings)


def test_the_password_comes_from_the_variable_named_in_the_file(make_project):
    built = make_project(mail_settings(None, username=USER, password_env="FILE_PW"))

    settings = load_mail_settings(built.project, {"FILE_PW": PASSWORD})

    assert settings.password.get_secret_value() == PASSWORD and settings.password_source == "FILE_PW"


def test_defaults_starttls_on_587(make_project):
    built = make_project({"host": "smtp.example.cn", "from": "a@example.cn", "to": ["b@example.cn"]})

    settings = load_mail_settings(built.project, {})

    assert (settings.security, settings.port) == ("starttls", 587)
    assert (settings.config.timeout, settings.config.retries) == (30.0, 3)


def test_a_bad_environment_value_names_its_variable(make_project):
    built = make_project(mail_settings(None))

    with pytest.raises(MailConfigError) as err:
        load_mail_settings(built.project, {"JIANBAO_SMTP_PORT": "smtp", "JIANBAO_SMTP_SECURITY": "tls"})

    assert "environment: JIANBAO_SMTP_PORT:" in str(err.value)
    assert "environment: JIANBAO_SMTP_SECURITY:" in str(err.value)


def test_a_username_without_its_password_variable_stops_before_connecting(make_project):
    built = make_project(mail_settings(None, username=USER, password_env="DIGEST_SMTP_PW"))

    with pytest.raises(MailConfigError, match="DIGEST_SMTP_PW holding the password is not set"):
        send(built.project, PERIOD, env={})


def test_sending_needs_a_host_and_a_sender(make_project):
    no_host = {k: v for k, v in mail_settings(None).items() if k != "host"}
    built = make_project(no_host)
    with pytest.raises(MailConfigError, match="JIANBAO_SMTP_HOST"):
        send(built.project, PERIOD, env={})

    no_from = {k: v for k, v in mail_settings(None).items() if k != "from"}
    built.write_config(no_from)
    built.build()
    with pytest.raises(MailConfigError, match="mail.from: required"):
        send(built.project, PERIOD, env={})


def test_no_recipients_is_an_error(make_project):
    built = make_project(mail_settings(None, to=[]))

    with pytest.raises(MailConfigError, match="no recipients"):
        send(built.project, PERIOD, env={})


def test_an_unreadable_cafile_is_a_config_error(make_project, tmp_path):
    built = make_project(mail_settings(None, security="starttls", cafile=str(tmp_path / "missing-ca.pem")))

    with pytest.raises(MailConfigError, match="mail.cafile: cannot load"):
        send(built.project, PERIOD, env={})
