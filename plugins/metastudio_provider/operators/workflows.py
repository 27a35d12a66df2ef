"""Operators for what users do, built on the hook: upload an asset, make a video, run a livestream, train.

Creates happen exactly once per task instance: each create carries the run identity token of
its task instance (dag / run / task / map index, ``run_identity``) in a field MetaStudio lists back
(the catalog's ``dedupe.identity``), and a retried try carries on only with what carries its own
token. Names (default: ``deterministic_name``) are labels: two runs with the same name make two
resources. Inputs are checked (``inputs``) before the first create. Waits defer to the triggerer when
``deferrable`` (default: Airflow's ``[operators] default_deferrable``), else poll in the worker.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

from metastudio_provider.catalog import get_path
from metastudio_provider.hooks.metastudio import with_identity
from metastudio_provider.inputs import check_name, check_script_text
from metastudio_provider.links import CONSOLE_URL_XCOM_KEY, MetaStudioConsoleLink
from metastudio_provider.operators.base import MetaStudioBaseOperator, default_deferrable, run_identity
from metastudio_provider.operators.waiting import check_once, defer_until, event_result, poll_until
from metastudio_provider.states import console_url


def deterministic_name(context: Any, prefix: str) -> str:
    """Same value on every try of the same task instance; different across runs and map indexes."""
    ti = context["ti"]
    key = f"{ti.dag_id}|{ti.run_id}|{ti.task_id}|{getattr(ti, 'map_index', -1)}"
    return f"{prefix}-{ti.task_id[:32]}-{hashlib.sha1(key.encode()).hexdigest()[:12]}"


def check_script_body(script: dict[str, Any]) -> None:
    """The CreateVideoScripts body's name and every spoken text, before anything is created."""
    if script.get("script_name") is not None:
        check_name(script["script_name"], "script.script_name")
    for i, item in enumerate(script.get("shoot_scripts") or []):
        shoot = (item or {}).get("shoot_script") or {}
        if shoot.get("script_type", "TEXT") == "TEXT":
            check_script_text((shoot.get("text_config") or {}).get("text") or "",
                              f"script.shoot_scripts[{i}].shoot_script.text_config.text")


def read_source(source: Any) -> tuple[str, bytes]:
    """``(file_name, bytes)`` of a local path or an Airflow ``ObjectStoragePath``."""
    if hasattr(source, "read_bytes") and not isinstance(source, (str, Path)):
        return source.name, source.read_bytes()
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no such file to upload: {path}")
    return path.name, path.read_bytes()


class _WorkflowOperator(MetaStudioBaseOperator):
    """Shared by the workflow operators: waiting, console links, retries."""

    operator_extra_links = (MetaStudioConsoleLink(),)

    def __init__(self, *, deferrable: bool | None = None, poll_interval: float = 5.0, wait_timeout: float = 6 * 3600,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deferrable = default_deferrable() if deferrable is None else deferrable
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout

    def _retrying(self, context: Any) -> bool:
        return context["ti"].try_number > 1

    def _link(self, context: Any, kind: str, ids: dict[str, str]) -> None:
        settings = self.hook.settings
        context["ti"].xcom_push(key=CONSOLE_URL_XCOM_KEY,
                                value=console_url(kind, settings.region, ids, settings.endpoint))

    def _wait(self, kind: str, ids: dict[str, str], method_name: str = "execute_complete") -> dict | None:
        """Return the event if the resource already ended; else defer (the task resumes in ``method_name``)
        or, not deferrable, poll in place."""
        if self.deferrable:
            if (event := check_once(self.hook, kind, ids))["status"] != "running":
                return event
            self.log.info("Waiting for %s %s (%s): deferring to the triggerer", kind, ids, event["state"])
            defer_until(self, kind, ids, timeout=self.wait_timeout, poll_interval=self.poll_interval,
                        method_name=method_name)
            return None
        return poll_until(self.hook, kind, ids, timeout=self.wait_timeout, poll_interval=self.poll_interval,
                          log=self.log)


class UploadAssetOperator(_WorkflowOperator):
    """Upload a local file or ``ObjectStoragePath`` as a MetaStudio asset and wait until it is ACTIVED.

    :param source: the file.
    :param asset_name: default: deterministic per task instance.
    :param asset_type: IMAGE, VIDEO, AUDIO, ...
    :param asset_fields: more CreateDigitalAsset fields (tags, system_properties, ...).
    Returns and pushes ``asset_id``.
    """

    template_fields = ("source", "asset_name", "asset_type", "asset_fields")
    api_name = "CreateDigitalAsset"

    def __init__(self, *, source: Any, asset_name: str | None = None, asset_type: str = "IMAGE",
                 asset_fields: dict[str, Any] | None = None, wait_for_active: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.asset_name = asset_name
        self.asset_type = asset_type
        self.asset_fields = asset_fields or {}
        self.wait_for_active = wait_for_active

    def execute(self, context: Any) -> dict[str, Any]:
        file_name, content = read_source(self.source)
        asset_id = self.hook.upload_asset(
            asset_name=self.asset_name or deterministic_name(context, "asset"),
            file_name=file_name,
            content=content,
            asset_type=self.asset_type,
            reuse_existing=self._retrying(context),
            identity=run_identity(context),
            **self.asset_fields,
        )
        self.log.info("Uploaded %s as asset %s", file_name, asset_id)
        context["ti"].xcom_push(key="asset_id", value=asset_id)
        self._link(context, "asset", {"asset_id": asset_id})
        if not self.wait_for_active:
            return {"asset_id": asset_id}
        event = self._wait("asset", {"asset_id": asset_id})
        return self.execute_complete(context, event)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        return {"asset_id": response["asset_id"], "asset_state": response["asset_state"]}


class CreateVideoOperator(_WorkflowOperator):
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
    """

    template_fields = ("script", "script_id", "output_asset_name", "video")
    template_fields_renderers = {"script": "json", "video": "json"}
    api_name = "Create2DDigitalHumanVideo"

    def __init__(self, *, script: dict[str, Any] | None = None, script_id: str | None = None,
                 output_asset_name: str | None = None, video: dict[str, Any] | None = None, wait: bool = True,
                 reuse_existing: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if (script is None) == (script_id is None):
            raise ValueError("CreateVideoOperator needs exactly one of script= or script_id=")
        self.script = script
        self.script_id = script_id
        self.output_asset_name = output_asset_name
        self.video = video or {}
        self.wait = wait
        self.reuse_existing = reuse_existing
        self.job_id: str | None = None

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

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        output_asset_id = get_path(response, "output_asset_config.asset_id")
        return {
            "job_id": response["job_id"],
            "state": response["state"],
            "output_asset_id": output_asset_id,
            "download_url": self._download_url(output_asset_id),
        }

    def _create_or_find(self, context: Any, api: str, body: dict[str, Any], id_key: str) -> str:
        result = self.hook.create_or_reuse(api, body, reuse=self.reuse_existing or self._retrying(context),
                                           identity=run_identity(context))
        if result.get("found_existing"):
            self.log.info("%s: carrying on with %s %s made earlier", api, id_key, result[id_key])
        return result[id_key]

    def _download_url(self, asset_id: str | None) -> str | None:
        if not asset_id:
            return None
        files = self.hook.show_asset(asset_id).get("files") or []
        return next((f.get("download_url") for f in files if f.get("asset_file_category") == "MAIN"), None)

    def on_kill(self) -> None:
        if not self.job_id:
            return
        if self.hook.show_video_job(self.job_id).get("state") == "WAITING":
            self.hook.call("Cancel2DDigitalHumanVideo", {"job_id": self.job_id})
            self.log.info("Cancelled video job %s", self.job_id)


class StartLivestreamOperator(_WorkflowOperator):
    """Start a livestream in a room and wait (deferred) until it is live.

    Never starts a second livestream in a room that is already live: by default that fails the
    task, naming the running job; ``if_live="adopt"`` carries on with it instead (a retried try
    always adopts the job its earlier try started). Pushes ``room_id`` and ``job_id``.
    ``on_kill`` stops the livestream this task started.
    """

    template_fields = ("room_id", "body")
    template_fields_renderers = {"body": "json"}
    api_name = "StartSmartLive"

    def __init__(self, *, room_id: str, body: dict[str, Any] | None = None, if_live: str = "fail",
                 wait_until_live: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if if_live not in ("fail", "adopt"):
            raise ValueError(f"if_live must be 'fail' or 'adopt', not {if_live!r}")
        self.room_id = room_id
        self.body = body
        self.if_live = if_live
        self.wait_until_live = wait_until_live
        self.started_job_id: str | None = None

    def execute(self, context: Any) -> dict[str, Any]:
        ti = context["ti"]
        running = self.hook.call(
            "ListSmartLive", {"room_id": self.room_id}, query={"state": "WAITING,PROCESSING", "limit": 10}
        ).get("smart_live_jobs") or []
        if running and not (self.if_live == "adopt" or self._retrying(context)):
            raise AirflowFailException(  # not transient: no retry, so no later try can adopt the other stream
                f"room {self.room_id} is already live (job {running[0]['job_id']}, {running[0].get('state')}); "
                "not starting a second livestream"
            )
        if running:
            job_id = running[0]["job_id"]
            self.log.info("Room %s already runs job %s: carrying on with it", self.room_id, job_id)
        else:
            job_id = self.hook.call("StartSmartLive", {"room_id": self.room_id}, body=self.body or {})["job_id"]
            self.started_job_id = job_id
        ids = {"room_id": self.room_id, "job_id": job_id}
        ti.xcom_push(key="room_id", value=self.room_id)
        ti.xcom_push(key="job_id", value=job_id)
        self._link(context, "live_job", ids)
        if not self.wait_until_live:
            return ids
        return self.execute_complete(context, self._wait("live_job", ids))

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        return {"room_id": response.get("room_id", event["ids"]["room_id"]), "job_id": response["job_id"],
                "state": response["state"]}

    def on_kill(self) -> None:
        if self.started_job_id:
            self.hook.call("StopSmartLive", {"room_id": self.room_id, "job_id": self.started_job_id})
            self.log.info("Stopped livestream %s in room %s", self.started_job_id, self.room_id)


class StopLivestreamOperator(_WorkflowOperator):
    """Stop a livestream and wait (deferred) until it has ended; a livestream already ended is left alone."""

    template_fields = ("room_id", "job_id")
    api_name = "StopSmartLive"

    def __init__(self, *, room_id: str, job_id: str, wait_until_ended: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.room_id = room_id
        self.job_id = job_id
        self.wait_until_ended = wait_until_ended

    def execute(self, context: Any) -> dict[str, Any]:
        if not self.job_id or self.job_id == "None":
            raise AirflowSkipException(f"no livestream was started in room {self.room_id}: nothing to stop")
        ids = {"room_id": self.room_id, "job_id": self.job_id}
        state = self.hook.show_live_job(**ids).get("state")
        if state in ("WAITING", "PROCESSING"):
            self.hook.call("StopSmartLive", ids)
        else:
            self.log.info("Livestream %s already ended (%s)", self.job_id, state)
        self._link(context, "live_job", ids)
        if not self.wait_until_ended:
            return {**ids, "state": state}
        return self.execute_complete(context, self._wait("live_job_ended", ids))

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        return {**event["ids"], "state": response["state"]}


class TrainAvatarOperator(_WorkflowOperator):
    """Train a 2D avatar model: create the job → upload the training video → submit → wait. Returns ``asset_id``."""

    template_fields = ("name", "video", "job_fields")
    api_name = "Create2dModelTrainingJob"

    def __init__(self, *, video: Any, name: str | None = None, job_fields: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.video = video
        self.name = name
        self.job_fields = job_fields or {}

    def execute(self, context: Any) -> dict[str, Any]:
        from metastudio_provider import files

        body = with_identity("Create2dModelTrainingJob",
                             {"name": self.name or deterministic_name(context, "avatar"), **self.job_fields},
                             run_identity(context))
        found = self.hook.find_existing("Create2dModelTrainingJob", body) if self._retrying(context) else None
        job_id = (found or {}).get("job_id")
        if not job_id:
            created = self.hook.call("Create2dModelTrainingJob", body=body)
            job_id = created["job_id"]
            _, content = read_source(self.video)
            for url in created.get("training_video_upload_url") or []:
                self.hook.client.upload(url, content, content_md5=files.content_md5(content),
                                        content_type="application/octet-stream")
            self.hook.call("Execute2dModelTrainingCommandByUser", {"job_id": job_id}, body={"command": "SUBMITVERIFYING"})
        context["ti"].xcom_push(key="job_id", value=job_id)
        self._link(context, "avatar_training_job", {"job_id": job_id})
        return self.execute_complete(context, self._wait("avatar_training_job", {"job_id": job_id}))

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        context["ti"].xcom_push(key="asset_id", value=response.get("asset_id"))
        return {"job_id": response["job_id"], "state": response["state"], "asset_id": response.get("asset_id")}


class TrainVoiceOperator(_WorkflowOperator):
    """Train a voice: create the job (``edition`` basic, middle or advance) → upload the zip → commit → wait.

    Returns the VOICE_MODEL ``asset_id``.
    """

    template_fields = ("voice_name", "data", "job_fields")
    _CREATE = {"basic": "CreateTrainingBasicJob", "middle": "CreateTrainingMiddleJob",
               "advance": "CreateTrainingAdvanceJob"}

    def __init__(self, *, data: Any, voice_name: str | None = None, edition: str = "basic",
                 job_fields: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if edition not in self._CREATE:
            raise ValueError(f"edition must be one of {', '.join(self._CREATE)}, not {edition!r}")
        self.api_name = self._CREATE[edition]
        super().__init__(**kwargs)
        self.data = data
        self.voice_name = voice_name
        self.edition = edition
        self.job_fields = job_fields or {}

    def execute(self, context: Any) -> dict[str, Any]:
        from metastudio_provider import files

        body = with_identity(self.api_name, {"voice_name": self.voice_name or deterministic_name(context, "voice"),
                                             **self.job_fields}, run_identity(context))
        found = self.hook.find_existing(self.api_name, body) if self._retrying(context) else None
        if found:  # an earlier try created it: upload again only if it never got its data
            job_id = found["job_id"]
            state = self.hook.call("ShowVoiceTrainingJob", {"job_id": job_id}).get("state")
            address = self.hook.call("ShowJobUploadingAddress", {"job_id": job_id}) if state == "CREATING" else {}
            url = get_path(address, "package_url.training_data_uploading_url")
        else:
            created = self.hook.call(self.api_name, body=body)
            job_id, url = created["job_id"], created.get("training_data_uploading_url")
            if not url:
                raise AirflowException(f"{self.api_name} returned no training_data_uploading_url for job {job_id}")
        if url:
            _, content = read_source(self.data)
            self.hook.client.upload(url, content, content_md5=files.content_md5(content), content_type="application/zip")
            self.hook.call("CommitVoiceTrainingJob", {"job_id": job_id}, body={})
        context["ti"].xcom_push(key="job_id", value=job_id)
        self._link(context, "voice_training_job", {"job_id": job_id})
        return self.execute_complete(context, self._wait("voice_training_job", {"job_id": job_id}))

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        context["ti"].xcom_push(key="asset_id", value=response.get("asset_id"))
        return {"job_id": response["job_id"], "state": response["state"], "asset_id": response.get("asset_id")}
