"""The ``metastudio-emulator`` command (also ``python -m metastudio_emulator``): serve the emulator."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

from metastudio_provider.catalog import REGIONS

from . import config as c


def _number(text: str, kind: type[int] | type[float], ok: Callable[[float], bool], must: str) -> Any:
    """``text`` as ``kind``, refused (argparse names the option) unless ``ok``; ``must`` says what it must be."""
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {'an integer' if kind is int else 'a number'}") from None
    if not ok(value):
        raise argparse.ArgumentTypeError(must.format(text=text, value=value))
    return value


def port(text: str) -> int:
    """A TCP port, 0..65535 (0: any free port)."""
    return _number(text, int, lambda v: 0 <= v <= 65535, "{value} is not a TCP port (0..65535)")


def seconds(text: str) -> float:
    """A finite duration in seconds, >= 0 (no nan, inf or negative)."""
    return _number(text, float, lambda v: math.isfinite(v) and v >= 0,
                   "{text!r} must be a finite number of seconds >= 0")


def share(text: str) -> float:
    """A share between 0 and 1 (``0 <= nan`` is false, so nan is refused)."""
    return _number(text, float, lambda v: 0.0 <= v <= 1.0, "{text!r} must be between 0 and 1")


def api_limit(text: str) -> tuple[str, int]:
    """``API=N``: enforce N calls per second for the catalog API named API."""
    name, sep, value = text.partition("=")
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if not sep or limit < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected API=N with N a whole number >= 1")
    if problem := c.limits_problem({name.strip(): limit}):
        raise argparse.ArgumentTypeError(problem)
    return name.strip(), limit


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="metastudio-emulator", description="Run the local MetaStudio emulator.",
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--host", default=c.DEFAULT_HOST, help="interface to listen on")
    parser.add_argument("--port", type=port, default=c.DEFAULT_PORT, help="TCP port (0..65535)")
    parser.add_argument("--region", choices=REGIONS, default=c.DEFAULT_REGION,
                        help="region whose throttling limits apply")
    parser.add_argument("--ak", default=c.DEFAULT_AK, help="the tenant's access key")
    parser.add_argument("--sk", default=c.DEFAULT_SK, help="the tenant's secret key")
    parser.add_argument("--project-id", default=c.DEFAULT_PROJECT_ID, help="the tenant's project id")
    parser.add_argument("--job-seconds", type=seconds, default=c.DEFAULT_JOB_SECONDS,
                        help="video job duration, WAITING for the first fifth")
    parser.add_argument("--failure-rate", type=share, default=c.DEFAULT_FAILURE_RATE,
                        help="share of video jobs that end FAILED (0..1)")
    parser.add_argument("--live-start-seconds", type=seconds, default=c.DEFAULT_LIVE_START_SECONDS,
                        help="time a livestream job stays WAITING before PROCESSING")
    parser.add_argument("--training-seconds", type=seconds, default=c.DEFAULT_TRAINING_SECONDS,
                        help="avatar/voice training time from submission to success")
    parser.add_argument("--tts-seconds", type=seconds, default=c.DEFAULT_TTS_SECONDS,
                        help="time until a TTS audition file is complete")
    parser.add_argument("--live-exit-hour-seconds", type=seconds, default=c.DEFAULT_LIVE_EXIT_HOUR_SECONDS,
                        help="seconds per hour of a livestream's play_policy.live_exit_config.max_live_duration "
                             "(MetaStudio stops it itself after that many hours); shorten it to try the stop")
    parser.add_argument("--download-url-seconds", type=seconds, default=c.DEFAULT_DOWNLOAD_URL_SECONDS,
                        help="how long a download URL is valid (then 403 'Request has expired.'; ShowAsset "
                             "gives a fresh one)")
    parser.add_argument("--public-url", default=None,
                        help="base URL for upload/download URLs (default: the request's own host)")
    parser.add_argument("--no-throttle", action="store_true", help="admit every request (stats still count)")
    parser.add_argument("--limit", type=api_limit, action="append", default=[], metavar="API=N",
                        help="enforce N calls/s for API instead of the table's limit (repeatable), "
                             "e.g. Create2DDigitalHumanVideo=1")
    parser.add_argument("--seed", type=int, default=None, help="random seed for the failure draw")
    parser.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    from .app import create_app

    args = build_parser().parse_args(argv)
    try:
        config = c.EmulatorConfig(
            region=args.region, ak=args.ak, sk=args.sk, project_id=args.project_id, job_seconds=args.job_seconds,
            failure_rate=args.failure_rate, live_start_seconds=args.live_start_seconds,
            training_seconds=args.training_seconds, tts_seconds=args.tts_seconds, public_url=args.public_url,
            download_url_seconds=args.download_url_seconds, live_exit_hour_seconds=args.live_exit_hour_seconds,
            throttle=not args.no_throttle, limits=dict(args.limit), seed=args.seed)
    except ValueError as err:
        print(f"metastudio-emulator: {err}", file=sys.stderr)
        return 2
    print(f"MetaStudio emulator on http://{args.host}:{args.port} region={config.region} "
          f"project_id={config.project_id} ak={config.ak}"
          + "".join(f" limit {name}={limit}/s" for name, limit in config.limits.items()), file=sys.stderr)
    uvicorn.run(create_app(config), host=args.host, port=args.port, log_level=args.log_level)
    return 0
