"""The command line speaks the chosen language, even for click's own usage errors, and shows
a traceback only when asked to."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest

from lamtheoguongbac.cli import cli, main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    code = exited.value.code
    return int(code) if isinstance(code, int) else 1, capsys.readouterr().err


def test_an_unknown_option_is_explained_in_vietnamese_then_english(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = run(["create", "--yeer", "2025"], capsys)
    assert code == 2
    assert "Cách dùng: lamtheoguongbac create" in err
    assert "Lỗi: không có tùy chọn --yeer (có phải ý bạn là" in err
    assert "No such option" in err  # the English variant follows


def test_english_usage_errors_contain_no_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["--lang", "en", "create", "--yeer", "2025"], capsys)
    assert code == 2
    assert "No such option" in err
    assert "Lỗi" not in err
    assert "tùy chọn" not in err


@pytest.mark.parametrize(
    ("args", "vietnamese"),
    [
        (["khong-co-lenh"], "không có lệnh 'khong-co-lenh'"),
        (["create", "--year"], "tùy chọn --year cần một giá trị"),
        (["create", "--cell", "x", "--year", "abc"], "giá trị không hợp lệ cho '--year'"),
    ],
)
def test_other_usage_errors_in_vietnamese(
    args: list[str], vietnamese: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(args, capsys)
    assert code == 2
    assert vietnamese in err


@pytest.fixture
def crashing_command() -> Iterator[None]:
    @click.command("no-no")
    def boom() -> None:
        raise RuntimeError("a bug")

    cli.add_command(boom)
    yield
    del cli.commands["no-no"]


@pytest.mark.usefixtures("crashing_command")
def test_an_internal_error_is_one_line_with_a_hint(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAMTHEOGUONGBAC_DEBUG", raising=False)
    code, err = run(["no-no"], capsys)
    assert code == 70
    assert "lỗi nội bộ" in err
    assert "RuntimeError: a bug" in err
    assert "--debug" in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("crashing_command")
@pytest.mark.parametrize("how", ["option", "environment"])
def test_debug_prints_the_traceback(
    how: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["no-no"]
    if how == "option":
        args.insert(0, "--debug")
    else:
        monkeypatch.setenv("LAMTHEOGUONGBAC_DEBUG", "1")
    code, err = run(args, capsys)
    assert code == 70
    assert "Traceback (most recent call last)" in err
    assert 'raise RuntimeError("a bug")' in err
