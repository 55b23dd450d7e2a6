"""The start-up path finds entry points without importlib.metadata (issue 9); it must find
exactly what importlib.metadata finds, in the same order, with the same distributions."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lamtheoguongbac._entrypoints import entry_points


def _seen(found: list[Any]) -> list[tuple[str, str, str, str | None, str | None]]:
    return [
        (
            ep.name,
            ep.value,
            ep.group,
            ep.dist.name if ep.dist is not None else None,
            ep.dist.version if ep.dist is not None else None,
        )
        for ep in found
    ]


def _reference(group: str) -> list[tuple[str, str, str, str | None, str | None]]:
    importlib.invalidate_caches()  # importlib.metadata caches folder listings by mtime
    return _seen(list(importlib.metadata.entry_points(group=group)))


_COMPARE = """
import importlib.metadata, json, sys
from lamtheoguongbac._entrypoints import entry_points
sys.path[:] = json.loads(sys.argv[2]) or sys.path

def seen(found):
    return [[e.name, e.value, e.group, e.dist and e.dist.name, e.dist and e.dist.version]
            for e in found]

mine = seen(entry_points(sys.argv[1]))
print(json.dumps([mine, seen(importlib.metadata.entry_points(group=sys.argv[1]))]))
"""


def _compared(group: str, path: list[str] | None = None) -> tuple[list[Any], list[Any]]:
    """Both answers in a fresh interpreter, as a command line run has it: another test may
    have imported the importlib_metadata backport, which replaces the standard library's
    path finder with its own (and entry_points() then rightly defers to importlib.metadata,
    see the last test)."""
    done = subprocess.run(
        [sys.executable, "-c", _COMPARE, group, json.dumps(path or [])],
        capture_output=True,
        text=True,
        check=True,
    )
    mine, reference = json.loads(done.stdout)
    return mine, reference


@pytest.mark.parametrize("group", ["lamtheoguongbac", "console_scripts", "pytest11", "nothing"])
def test_the_installed_entry_points_are_those_importlib_metadata_finds(group: str) -> None:
    mine, reference = _compared(group)
    assert mine == reference
    if group != "nothing":
        assert mine


def _dist(folder: Path, stem: str, name: str, version: str, entry_points_txt: str) -> None:
    info = folder / stem
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nName: not-this\n",
        encoding="utf-8",
    )
    (info / "entry_points.txt").write_text(entry_points_txt, encoding="utf-8")


def test_made_up_installs_read_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _dist(first, "ltgb_demo-1.0.dist-info", "ltgb-demo", "1.0",
          "# a comment\n[lamtheoguongbac]\n  demo = ltgb_demo.plugin : hooks [extra]\n\n"
          "[console_scripts]\ndemo = ltgb_demo:main\n")  # fmt: skip
    # The same distribution again later on sys.path, spelt differently: importlib.metadata
    # keeps the first one only.
    _dist(second, "LTGB.Demo-2.0.dist-info", "LTGB.Demo", "2.0",
          "[lamtheoguongbac]\ndemo = ltgb_demo.other\n")  # fmt: skip
    _dist(second, "other_plugin-0.3.egg-info", "other-plugin", "0.3",
          "[lamtheoguongbac]\nother=other_plugin\nsecond = other_plugin.more:x.y\n")  # fmt: skip
    (second / "no_metadata-1.dist-info").mkdir()
    (second / "no_metadata-1.dist-info" / "entry_points.txt").write_text(
        "[lamtheoguongbac]\nbare = bare\n", encoding="utf-8"
    )
    path = [str(first), str(tmp_path / "missing"), str(second)]
    mine, reference = _compared("lamtheoguongbac", path)
    assert mine == reference
    assert ["demo", "ltgb_demo.plugin : hooks [extra]", "lamtheoguongbac", "ltgb-demo", "1.0"] in (
        mine
    )
    assert ["bare", "bare", "lamtheoguongbac", None, None] in mine
    assert len(mine) == 4  # LTGB.Demo 2.0 is the same distribution, seen later
    assert (
        _compared("console_scripts", path)
        == ([["demo", "ltgb_demo:main", "console_scripts", "ltgb-demo", "1.0"]],) * 2
    )


def test_a_zip_on_the_path_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
        z.writestr("zipped-1.0.dist-info/entry_points.txt", "[lamtheoguongbac]\nz = zipped\n")
    mine, reference = _compared("lamtheoguongbac", [str(archive)])
    assert mine == reference == [["z", "zipped", "lamtheoguongbac", "zipped", "1.0"]]


def test_load_returns_the_named_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _dist(tmp_path, "x-1.dist-info", "x", "1",
          "[lamtheoguongbac]\nmod = json\nattr = json.decoder:JSONDecoder.decode\n")  # fmt: skip
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    loaded = {ep.name: ep.load() for ep in entry_points("lamtheoguongbac")}
    import json
    import json.decoder

    assert loaded == {"mod": json, "attr": json.decoder.JSONDecoder.decode}


def test_the_version_written_in_the_source_is_the_installed_one() -> None:
    import lamtheoguongbac

    assert lamtheoguongbac.__version__ == importlib.metadata.version("lamtheoguongbac")


def test_a_finder_of_its_own_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Finder:
        """A meta-path finder that brings one distribution of its own."""

        def find_spec(self, *args: Any) -> None:
            return None

        def find_distributions(self, context: Any = None) -> list[Any]:
            return [importlib.metadata.PathDistribution(tmp_path / "own-1.0.dist-info")]

    (tmp_path / "own-1.0.dist-info").mkdir()
    (tmp_path / "own-1.0.dist-info" / "METADATA").write_text("Name: own\nVersion: 1.0\n")
    (tmp_path / "own-1.0.dist-info" / "entry_points.txt").write_text("[lamtheoguongbac]\no = o\n")
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    found = _seen(entry_points("lamtheoguongbac"))
    assert ("o", "o", "lamtheoguongbac", "own", "1.0") in found
    assert found == _reference("lamtheoguongbac")
