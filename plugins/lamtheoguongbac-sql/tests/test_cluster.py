"""The throwaway cluster: where no server is installed, the message says how to get one."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtheoguongbac_sql import cluster


def test_no_server_means_a_message_saying_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LTGB_PG_BINDIR", raising=False)
    monkeypatch.setattr(cluster.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(cluster.shutil, "which", lambda name: None)
    with pytest.raises(cluster.ClusterUnavailable) as raised:
        cluster.TemporaryCluster()
    message = str(raised.value)
    assert "apt-get install postgresql" in message
    assert "Không tìm thấy máy chủ PostgreSQL" in message
    assert "no PostgreSQL server found" in message


def test_the_bin_folder_can_be_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for program in ("initdb", "pg_ctl"):
        (tmp_path / program).write_text("#!/bin/sh\n")
        (tmp_path / program).chmod(0o755)
    monkeypatch.setenv("LTGB_PG_BINDIR", str(tmp_path))
    assert cluster.find_bindir() == tmp_path


def test_the_session_cluster_listens_on_a_socket_only(pg_cluster: cluster.TemporaryCluster) -> None:
    import psycopg

    assert pg_cluster.folder is not None
    assert (pg_cluster.socket_dir / f".s.PGSQL.{pg_cluster.port}").exists()
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("",)
        row = conn.execute("SHOW server_version_num").fetchone()
        assert row is not None
        assert int(row[0]) >= 110000
