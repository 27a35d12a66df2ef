"""Make a video: a video script, then a 2D avatar video job, waited for (deferred)."""

from __future__ import annotations

from typing import Any

from metastudio_provider.assets.lineage import report_video, script_inputs
from metastudio_provider.assets.videos import announce, video_file
from metastudio_provider.catalog import get_path
from metastudio_provider.checks.names import check_name
from metastudio_provider.checks.scripts import check_script_body
from metastudio_provider.operators.base import entry_point, run_identity
from metastudio_provider.operators.workflow import WorkflowOperator, deterministic_name
from metastudio_provider.states import CANCELLABLE_VIDEO_STATES, VIDEO_JOB
from metastudio_provider.utils.waiting import event_result


class CreateVideoOperator(WorkflowOperator):
    """Create a video script (or use ``script_id``) and a 2D avatar video job; optionally wait for it.

    :param script: CreateVideoScripts body (``script_name`` defaults to a deterministic name).
    :param script_id: an existing script instead of ``script``.
    :param output_asset_name: name of the produced VIDEO asset (default deterministic).
    :param video: more Create2DDigitalHumanVideo fields (override the script's).
    :param wait: wait (deferred) until the job ends; the result then has the output asset and URL.
    :param reuse_existing: look for the script and job this task instance made before creating them,
        even on the first try; a job that failed or was cancelled is made again.
    The script carries the task instance's identity token, and the job is found by its script: two
    runs with the same ``output_asset_name`` make two videos. With ``script_id`` (a script not made
    here) a given output name gets the token appended, so the job stays this task instance's own.
    Pushes ``script_id`` and ``job_id``; ``on_kill`` cancels the job while it is WAITING.

    With an ``AssetAlias`` in ``outlets`` (``assets.videos.VIDEOS``) a SUCCEED video is announced as
    an asset event ``metastudio://<region>/<project_id>/assets/<asset_id>`` through it; its extra holds
    ``asset_id``, ``job_id``, ``duration``, ``download_url``, ``asset_name`` and ``event_extra``
    (templated, e.g. ``{"title": "{{ params.title }}"}``). A video announced before is not again.

    Lineage (``lineage``): a SUCCEED video's inputs (avatar, voice, background assets and the script)
    and output (the video asset) go to Airflow's hook lineage collector, which OpenLineage reads.
    """

    template_fields = ("script", "script_id", "output_asset_name", "video", "event_extra", "metastudio_conn_id")
    template_fields_renderers = {"script": "json", "video": "json"}
    api_name = "Create2DDigitalHumanVideo"

    def __init__(self, *, script: dict[str, Any] | None = None, script_id: str | None = None,
                 output_asset_name: str | None = None, video: dict[str, Any] | None = None, wait: bool = True,
                 reuse_existing: bool = False, event_extra: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if (script is None) == (script_id is None):
            raise ValueError("CreateVideoOperator needs exactly one of script= or script_id=")
        self.script = script
        self.script_id = script_id
        self.output_asset_name = output_asset_name
        self.video = video or {}
        self.wait = wait
        self.reuse_existing = reuse_existing
        self.event_extra = event_extra or {}
        self.job_id: str | None = None

    @entry_point
    def execute(self, context: Any) -> dict[str, Any]:
        ti = context["ti"]
        token = run_identity(context)
        output_name = (self.video.get("output_asset_config") or {}).get("asset_name") or self.output_asset_name
        if output_name is not None:
            output_name = check_name(output_name, "output_asset_name")
            if self.script_id:  # not our script: the name must carry the token to identify the job
                output_name = check_name(f"{output_name}-{token}", "output_asset_name (with its identity token)")
        if self.script is not None:
            check_script_body(self.script)
        script_id = self.script_id or self._create_or_find(
            context, "CreateVideoScripts",
            {"script_name": deterministic_name(context, "script"), **(self.script or {})}, "script_id",
        )
        body = {
            **self.video,
            "script_id": script_id,
            "output_asset_config": {
                **(self.video.get("output_asset_config") or {}),
                "asset_name": output_name or deterministic_name(context, "video"),
            },
        }
        self.job_id = self._create_or_find(context, "Create2DDigitalHumanVideo", body, "job_id")
        self.log.info("Video job %s (script %s, output %r)", self.job_id, script_id,
                      body["output_asset_config"]["asset_name"])
        ti.xcom_push(key="script_id", value=script_id)
        ti.xcom_push(key="job_id", value=self.job_id)
        self._link(context, "video_job", {"job_id": self.job_id})
        if not self.wait:
            return {"script_id": script_id, "job_id": self.job_id}
        return self.execute_complete(context, self._wait("video_job", {"job_id": self.job_id}))

    @entry_point
    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        output_asset_id = get_path(response, "output_asset_config.asset_id")
        file = video_file(self.hook, output_asset_id) if output_asset_id else {}
        result = {
            "job_id": response["job_id"],
            "state": response["state"],
            "output_asset_id": output_asset_id,
            "download_url": file.get("download_url"),
            "duration": response.get("duration") or file.get("duration"),
        }
        if output_asset_id and VIDEO_JOB.succeeded(response["state"]):
            settings = self.hook.settings
            video = {**self.event_extra, "asset_id": output_asset_id, "job_id": result["job_id"],
                     "duration": result["duration"], "download_url": result["download_url"],
                     "asset_name": get_path(response, "output_asset_config.asset_name") or file.get("asset_name")}
            announce(context, [video], region=settings.region, project_id=settings.credentials.project_id,
                     aliases=self.outlets)
            script_id = self.script_id or context["ti"].xcom_pull(task_ids=self.task_id, key="script_id")
            report_video(self.hook, region=settings.region, project_id=settings.credentials.project_id,
                         input_asset_ids=script_inputs(self.script), script_id=script_id,
                         video_asset_id=output_asset_id)
        return result

    def _create_or_find(self, context: Any, api: str, body: dict[str, Any], id_key: str) -> str:
        result = self.hook.create_or_resume(api, body, look=self.reuse_existing or self._retrying(context),
                                            identity=run_identity(context))
        if result.get("found_existing"):
            self.log.info("%s: carrying on with %s %s made earlier", api, id_key, result[id_key])
        return result[id_key]

    def on_kill(self) -> None:
        if not self.job_id:
            return
        if self.hook.show_video_job(self.job_id).get("state") in CANCELLABLE_VIDEO_STATES:
            self.hook.call("Cancel2DDigitalHumanVideo", {"job_id": self.job_id})
            self.log.info("Cancelled video job %s", self.job_id)
