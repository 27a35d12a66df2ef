"""The ``metastudio-emulator`` command (also ``python -m metastudio_emulator``): serve the emulator."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

from metastudio_provider.catalog import REGIONS

from . import config as c


def port(text: str) -> int:
    """A TCP port, 0..65535 (0: any free port)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (0..65535)")
    return value


def seconds(text: str) -> float:
    """A finite duration in seconds, >= 0 (no nan, inf or negative)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number of seconds >= 0")
    return value


def share(text: str) -> float:
    """A share between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 1")
    return value


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
            throttle=not args.no_throttle, limits=dict(args.limit), seed=args.seed)
    except ValueError as err:
        print(f"metastudio-emulator: {err}", file=sys.stderr)
        return 2
    print(f"MetaStudio emulator on http://{args.host}:{args.port} region={config.region} "
          f"project_id={config.project_id} ak={config.ak}"
          + "".join(f" limit {name}={limit}/s" for name, limit in config.limits.items()), file=sys.stderr)
    uvicorn.run(create_app(config), host=args.host, port=args.port, log_level=args.log_level)
    return 0
