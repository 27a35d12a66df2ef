"""The MetaStudio emulator as the benchmark runs it: unchanged, plus two read-only bench routes.

    python bench/emulator_server.py --port 18765 --job-seconds 10 --region cn-north-4 --project-id ... \
        [--limit Create2DDigitalHumanVideo=1]

It serves ``metastudio_emulator.create_app(config)`` exactly as ``metastudio-emulator`` does
(same throttle, same handlers, ``--limit`` as there: a gateway allowing less than the table) and adds,
for the benchmark only:

- ``GET /_bench/requests``: every API request the emulator answered, in arrival order, as
  ``[t, api, http_status, kind]`` (``t`` = epoch seconds when the request reached the gateway checks,
  ``kind`` = ``"status"`` for ListDigitalHumanVideo calls carrying ``job_ids`` (status queries), ``"lookup"``
  for other ListDigitalHumanVideo calls (duplicate checks before a create), else ``""``).
- ``GET /_bench/jobs``: every video job with its precise ``created`` and ``end`` epoch times (the public API
  only shows whole seconds).
- ``POST /_bench/reset``: forget the request log.

Neither route is throttled or counted in ``/_emulator/stats``.
"""

from __future__ import annotations

import argparse
import logging
import time

import uvicorn
from fastapi import Request

from metastudio_emulator import EmulatorConfig, create_app, lifecycles
from metastudio_emulator import app as app_module
from metastudio_emulator.cli import api_limit


def build(config: EmulatorConfig):  # noqa: ANN201 - FastAPI
    log: list[list] = []
    original = app_module.dispatch

    async def dispatch(state, api, request: Request):  # noqa: ANN001, ANN202
        t = time.time()
        response = await original(state, api, request)
        kind = ""
        if api.name == "ListDigitalHumanVideo":
            query = request.query_params
            kind = "status" if ("job_ids" in query or "job_id" in query) else "lookup"
        log.append([t, api.name, response.status_code, kind])
        return response

    app_module.dispatch = dispatch  # _endpoint looks the module global up at each call
    app = create_app(config)
    state = app.state.emulator

    @app.get("/_bench/requests")
    def requests() -> dict:
        return {"requests": list(log)}

    @app.post("/_bench/reset")
    def reset() -> dict:
        log.clear()
        return {"status": "ok"}

    @app.get("/_bench/jobs")
    def jobs() -> dict:
        now = config.clock()
        with state.store.lock:
            out = []
            for job in state.store.video_jobs.values():
                out.append({
                    "job_id": job.job_id,
                    "created": job.created,
                    "end": job.created + config.job_seconds if job.canceled_at is None else job.canceled_at,
                    "state": lifecycles.video_state(job, now, config),
                    "name": (job.body.get("output_asset_config") or {}).get("asset_name"),
                })
        return {"job_seconds": config.job_seconds, "jobs": out}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--region", default="cn-north-4")
    parser.add_argument("--project-id", default=None)
    parser.add_argument("--job-seconds", type=float, default=10.0)
    parser.add_argument("--limit", type=api_limit, action="append", default=[], metavar="API=N",
                        help="enforce N calls/s for API instead of the table's (a gateway allowing less)")
    args = parser.parse_args()
    kwargs = {"region": args.region, "job_seconds": args.job_seconds, "limits": dict(args.limit)}
    if args.project_id:
        kwargs["project_id"] = args.project_id
    config = EmulatorConfig(**kwargs)
    logging.basicConfig(level=logging.WARNING)
    uvicorn.run(build(config), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
