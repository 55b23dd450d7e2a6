"""Batch export on a Dask cluster reading a PostgreSQL store (issue 13): workers open the
database themselves and write the same documents as a local export."""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import distributed

from lamtheoguongbac import HandbookStatus
from lamtheoguongbac.export import dask_executor, export_handbooks
from lamtheoguongbac.plugin import HandbookQuery, create_registry, trusted_restore
from lamtheoguongbac.testing import creation_event, make_handbook

COUNT = 80


def test_a_dask_export_from_postgresql_equals_a_local_one(pg_url: str, tmp_path: Path) -> None:
    store = create_registry().open_store(pg_url)
    try:
        bases = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(10)]
        books = [
            attrs.evolve(
                bases[i % 10],
                id=f"{bases[i % 10].id}-{i}",
                member=attrs.evolve(bases[i % 10].member, full_name=f"Lê Văn An {i}"),
            )
            for i in range(COUNT)
        ]
        with trusted_restore():  # generated recorders are in no roster: a restore
            store.add_many((b, creation_event(b)) for b in books)
        local = export_handbooks(tmp_path / "local", store.iter_query(HandbookQuery()), store=store)
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            dask_executor(cluster) as executor,
        ):
            remote = export_handbooks(
                tmp_path / "dask",
                store.iter_query(HandbookQuery()),
                store=store,
                executor=executor,
            )
            pids = set(executor._client.run(os.getpid).values())  # type: ignore[attr-defined]
    finally:
        store.close()
    assert os.getpid() not in pids  # the workers read PostgreSQL themselves
    assert len(local.written) == len(remote.written) == COUNT
    documents = {p.name: p.read_bytes() for p in (tmp_path / "local").glob("*.docx")}
    assert documents == {p.name: p.read_bytes() for p in (tmp_path / "dask").glob("*.docx")}
