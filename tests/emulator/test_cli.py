"""The ``metastudio-emulator`` command's options, and the ``metastudio`` CLI's subcommand table."""

from __future__ import annotations

import pytest

from metastudio_emulator import cli
from metastudio_provider.cli import commands as provider_cli


def test_emulator_options_and_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    args = cli.build_parser().parse_args(["--port", "9000", "--job-seconds", "0.5", "--region",
                                          "cn-east-3", "--failure-rate", "0.25"])
    assert (args.port, args.job_seconds, args.region, args.failure_rate) == (9000, 0.5, "cn-east-3", 0.25)
    assert args.host == "127.0.0.1" and args.project_id == "0123456789abcdef0123456789abcdef"
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for option in ("--live-start-seconds", "--training-seconds", "--tts-seconds", "--ak", "--sk", "--project-id"):
        assert option in out
    assert "default: 10.0" in out


def test_subcommands_are_a_table() -> None:
    assert "pools" in provider_cli.SUBCOMMANDS and "emulator" not in provider_cli.SUBCOMMANDS
    with pytest.raises(SystemExit):
        provider_cli.main([])


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--port", "70000", "70000 is not a TCP port (0..65535)"),
    ("--port", "-1", "-1 is not a TCP port (0..65535)"),
    ("--port", "http", "'http' is not an integer"),
    ("--job-seconds", "nan", "'nan' must be a finite number of seconds >= 0"),
    ("--job-seconds", "inf", "'inf' must be a finite number of seconds >= 0"),
    ("--live-start-seconds", "-1", "'-1' must be a finite number of seconds >= 0"),
    ("--training-seconds", "-inf", "'-inf' must be a finite number of seconds >= 0"),
    ("--tts-seconds", "soon", "'soon' is not a number"),
    ("--failure-rate", "2", "'2' must be between 0 and 1"),
    ("--failure-rate", "nan", "'nan' must be between 0 and 1"),
])
def test_out_of_range_values_are_refused(capsys: pytest.CaptureFixture[str], option: str, value: str,
                                         message: str) -> None:
    """argparse exits 2 naming the option, before anything binds (``--port 70000`` used to bind 4464)."""
    with pytest.raises(SystemExit) as exited:
        cli.main([f"{option}={value}"])
    assert exited.value.code == 2
    assert f"argument {option}: {message}" in capsys.readouterr().err


def test_boundary_values_are_accepted() -> None:
    args = cli.build_parser().parse_args(["--port", "65535", "--job-seconds", "0", "--failure-rate", "1"])
    assert (args.port, args.job_seconds, args.failure_rate) == (65535, 0.0, 1.0)


def test_config_refuses_non_finite_durations() -> None:
    from metastudio_emulator import EmulatorConfig

    for bad in (float("nan"), float("inf"), -1.0):
        with pytest.raises(ValueError, match="job_seconds must be a finite number >= 0"):
            EmulatorConfig(job_seconds=bad)

