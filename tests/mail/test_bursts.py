"""`run --each region`: each region's digest mailed once, to its own readers, counted at a real SMTP
server; a rerun sends nothing; after a crash in the middle of the batch a rerun sends only what was
missing, and nobody gets a message twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


from jianbao import api
from mail_support import attachments_received, jianbao_command, mail_settings, toml_value

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures"))
from regional import write_regional_project  # noqa: E402

REGIONS = ["河南", "湖北", "广东", "四川"]
READERS = {region: f"office{i}@example.gov.cn" for i, region in enumerate(REGIONS)}
NATIONAL = ["li@example.gov.cn", "zhao@example.gov.cn", "wang@example.gov.cn"]


def regional_project(root: Path, server) -> Path:
    """The synthetic regional project, bursting four regions, each to its own group of one office."""
    write_regional_project(root)
    config = root / "jianbao.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("[digest]\n", "[digest]\nregions = " + toml_value(REGIONS) + "\n", 1)
    mail = mail_settings(server)
    mail["groups"] = {**mail["groups"], **{f"office-{r}": [a] for r, a in READERS.items()}}
    lines = ["", "[mail]", *(f"{k} = {toml_value(v)}" for k, v in mail.items()), "", "[mail.bursts]"]
    lines += [f"{toml_value(r)} = {toml_value([f'office-{r}'])}" for r in REGIONS]
    config.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_each_region_is_mailed_once_to_its_own_readers(tmp_path, smtp_server):
    server = smtp_server()
    root = regional_project(tmp_path / "digest", server)
    result = api.run_each(root, "2025H1", jobs=2)
    assert result.ok, result.summary()
    assert [u.region for u in result.units] == REGIONS
    got = attachments_received(server.handler)
    assert sorted(got) == sorted(READERS.values())  # the national readers get no region's digest
    for region, address in READERS.items():
        assert len(got[address]) == 1, got[address]
        assert region in got[address][0] and ".pdf" in got[address][0] and ".docx" in got[address][0]
        assert not any(other in got[address][0] for other in REGIONS if other != region)
    for region in REGIONS:
        assert (root / "reports" / f"2025H1-{region}" / "manifest.json").is_file()

    again = api.run_each(root, "2025H1", jobs=2)
    assert again.ok and len(server.handler.received) == len(REGIONS)  # a rerun sends nothing
    states = {u.region: u.state for u in api.status(root, "2025H1")}
    assert states == {r: "done" for r in REGIONS}


def test_a_crash_mid_batch_then_a_rerun_mails_only_what_was_missing(tmp_path, smtp_server):
    server = smtp_server()
    server.handler.data_delay = 0.5  # a slow server, so the kill lands mid-batch
    root = regional_project(tmp_path / "digest", server)
    command = [*jianbao_command(), "run", "--project", str(root), "--period", "2025H1", "--each", "region",
               "--jobs", "2"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 240
    while not any(e.startswith("DATA") for e in server.handler.events) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()[0].decode()
    os.killpg(proc.pid, signal.SIGKILL)  # the whole burst: its process and its workers
    proc.wait()
    first = attachments_received(server.handler)
    assert 1 <= sum(map(len, first.values())) < len(REGIONS), first

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    got = attachments_received(server.handler)
    for address, messages in got.items():
        assert len(messages) == 1, (address, messages)  # nobody twice
    states = {u.region: u.state for u in api.status(root, "2025H1")}
    for region, address in READERS.items():
        # delivered once, or reported: killed while its message was on the wire, it may have arrived
        assert states[region] == "done" or (states[region] == "uncertain" and f"FAILED {region}" in rerun.stdout), (
            states, rerun.stdout)
        assert address in got or states[region] == "uncertain"
    assert rerun.returncode == (1 if "uncertain" in states.values() else 0), rerun.stdout + rerun.stderr


def test_a_region_without_readers_is_built_and_not_mailed(tmp_path, smtp_server):
    server = smtp_server()
    root = regional_project(tmp_path / "digest", server)
    config = root / "jianbao.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(f"{toml_value('四川')} = {toml_value(['office-四川'])}\n", ""),
                      encoding="utf-8")
    result = api.run_each(root, "2025H1", jobs=1)
    assert result.ok, result.summary()
    assert READERS["四川"] not in attachments_received(server.handler)
    assert {u.region: u.state for u in api.status(root, "2025H1")}["四川"] == "built"
