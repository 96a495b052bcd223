"""Mail after a real `jianbao run` of the sample project: attachments are what build wrote."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from mail_support import mail_settings, toml_value

from jianbao.api import build, run, send
from jianbao.manifest import StaleOutputsError
from jianbao.scaffold import init_project


def _with_mail(root: Path, settings: dict) -> None:
    lines = ["", "[mail]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in settings.items() if key != "groups"]
    lines += ["", "[mail.groups]"]
    lines += [f"{name} = {toml_value(members)}" for name, members in settings["groups"].items()]
    config = root / "jianbao.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")


def test_run_builds_then_delivers_once_and_a_data_change_is_a_new_delivery(tmp_path: Path, smtp_server) -> None:
    server = smtp_server()
    root = init_project(tmp_path / "digest")
    _with_mail(root, mail_settings(server))

    report = run(root, "latest")
    assert report.ok and len(report.delivered) == 3
    folder = root / "reports" / "2025H1"
    message = message_from_bytes(server.handler.to("wang@example.gov.cn")[0].data, policy=policy.default)
    assert message["Subject"] == "工业和信息化发展简报第1期（2025年上半年）"
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert attachments == {
        name: (folder / name).read_bytes()
        for name in ("工业和信息化发展简报-2025H1.docx", "工业和信息化发展简报-2025H1.pdf")
    }
    text = message.get_body(("plain",)).get_content()
    assert "规上工业增加值同比增长6.4%" in text

    assert send(root, "2025H1").delivered == []  # nothing twice

    csv = root / "data" / "observations" / "industry.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("industry_va_growth,2025H1,,6.4", "industry_va_growth,2025H1,,6.5"), encoding="utf-8")
    try:
        send(root, "2025H1")
        raise AssertionError("send delivered outputs older than their data")
    except StaleOutputsError as exc:
        assert "jianbao build" in str(exc)
    build(root, "2025H1")
    again = send(root, "2025H1")
    assert len(again.delivered) == 3
    latest = message_from_bytes(server.handler.to("wang@example.gov.cn")[-1].data, policy=policy.default)
    assert "规上工业增加值同比增长6.5%" in latest.get_body(("plain",)).get_content()
