"""The ``metastudio`` CLI: subcommand table and emulator options."""

from __future__ import annotations

import pytest

from metastudio_provider import cli


def test_emulator_options_and_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    args = cli.build_parser().parse_args(["emulator", "--port", "9000", "--job-seconds", "0.5", "--region",
                                          "cn-east-3", "--failure-rate", "0.25"])
    assert (args.port, args.job_seconds, args.region, args.failure_rate) == (9000, 0.5, "cn-east-3", 0.25)
    assert args.host == "127.0.0.1" and args.project_id == "0123456789abcdef0123456789abcdef"
    with pytest.raises(SystemExit):
        cli.main(["emulator", "--help"])
    out = capsys.readouterr().out
    for option in ("--live-start-seconds", "--training-seconds", "--tts-seconds", "--ak", "--sk", "--project-id"):
        assert option in out
    assert "default: 10.0" in out


def test_subcommands_are_a_table() -> None:
    assert "emulator" in cli.SUBCOMMANDS
    with pytest.raises(SystemExit):
        cli.main([])


def test_invalid_config_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["emulator", "--failure-rate", "2"]) == 2
    assert "failure_rate" in capsys.readouterr().err
