"""`notalone pair` / `unpair` and the local admin channel (run file + secret)."""

from __future__ import annotations

import argparse
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_helpers import HOST, Harness, live_server, make_harness

from server.commands import add_server_commands
from server.datadir import (
    RUNFILE,
    RunInfo,
    read_runfile,
    remove_runfile,
    resolve_data_dir,
    write_runfile,
)


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="notalone")
    add_server_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Path, Harness, int]]:
    box: dict[str, Harness] = {}

    def factory(port: int) -> Any:
        box["h"] = make_harness(tmp_path, port=port, admin_secret="s3cret")
        return box["h"].app

    with live_server(factory) as port:
        write_runfile(tmp_path, RunInfo(port=port, pid=os.getpid(), secret="s3cret"))
        yield tmp_path, box["h"], port


def test_pair_prints_a_code_that_pairs(
    running: tuple[Path, Harness, int], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, harness, port = running
    assert run_cli("pair", "--data-dir", str(data_dir)) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("Pairing code: ")
    assert line.endswith("(valid 10 minutes, single use)")
    code = line.split()[2]
    reply = harness.client.post(
        "/v1/pair", json={"code": code}, headers={"Host": f"127.0.0.1:{port}"}
    )
    assert reply.status_code == 200


def test_pair_with_a_wrong_secret_is_refused(
    running: tuple[Path, Harness, int], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, _, port = running
    write_runfile(data_dir, RunInfo(port=port, pid=1, secret="guessed"))
    assert run_cli("pair", "--data-dir", str(data_dir)) == 1
    assert "refused" in capsys.readouterr().err


@pytest.mark.parametrize(("runfile"), [None, "stale"])
def test_pair_without_a_running_server_explains_what_to_do(
    tmp_path: Path, runfile: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    if runfile == "stale":
        import socket

        with socket.socket() as sock:  # a port nobody listens on any more
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        write_runfile(tmp_path, RunInfo(port=port, pid=1, secret="x"))
    assert run_cli("pair", "--data-dir", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert "notalone serve" in err


def test_unpair_revokes_every_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    harness = make_harness(tmp_path)
    assert harness.get("/v1/rules").status_code == 200
    monkeypatch.setenv("NOTALONE_DATA_DIR", str(tmp_path))  # api.md: same as --data-dir
    assert run_cli("unpair") == 0
    assert "Revoked 1 token(s)" in capsys.readouterr().out
    assert harness.get("/v1/rules").status_code == 401
    assert harness.client.get("/v1/health", headers=harness.headers()).get_json()["paired"] is False


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_run_file_is_owner_only_and_data_dir_private(tmp_path: Path) -> None:
    data_dir = resolve_data_dir(str(tmp_path / "nested" / "data"))
    info = RunInfo(port=1234, pid=42, secret="abc")
    write_runfile(data_dir, info)
    assert stat.S_IMODE((data_dir / RUNFILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert json.loads((data_dir / RUNFILE).read_text()) == {
        "port": 1234,
        "pid": 42,
        "secret": "abc",
    }
    assert read_runfile(data_dir) == info


def test_run_file_is_removed_only_by_its_owner(tmp_path: Path) -> None:
    mine = RunInfo(port=1, pid=1, secret="a")
    theirs = RunInfo(port=2, pid=2, secret="b")
    write_runfile(tmp_path, theirs)
    remove_runfile(tmp_path, mine)
    assert read_runfile(tmp_path) == theirs
    remove_runfile(tmp_path, theirs)
    assert read_runfile(tmp_path) is None


def test_data_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTALONE_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(None) == tmp_path / "env"
    assert resolve_data_dir(str(tmp_path / "flag")) == tmp_path / "flag"  # the flag wins


@pytest.mark.parametrize(
    ("argv", "ok"),
    [
        (["serve", "--port", "0"], True),
        (["serve", "--port", "65535"], True),
        (["serve", "--port", "65536"], False),
        (["serve", "--port", "-1"], False),
        (["serve", "--port", "http"], False),
    ],
)
def test_serve_port_argument(argv: list[str], ok: bool) -> None:
    parser = argparse.ArgumentParser(prog="notalone")
    add_server_commands(parser.add_subparsers(dest="command", required=True))
    if ok:
        parser.parse_args(argv)
    else:
        with pytest.raises(SystemExit):
            parser.parse_args(argv)


def test_serve_rules_accepts_several_folders() -> None:
    parser = argparse.ArgumentParser(prog="notalone")
    add_server_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["serve", "--rules", "a", "b", "--rules", "c"])
    assert args.rules == [Path("a"), Path("b"), Path("c")]


def test_pair_endpoint_host_check_still_applies_to_admin(
    running: tuple[Path, Harness, int],
) -> None:
    _, harness, _ = running
    reply = harness.client.post(
        "/v1/admin/pair", headers={"Host": HOST, "X-NotAlone-Admin": "s3cret"}
    )
    assert reply.status_code == 403  # HOST has port 8731, the live server has another
