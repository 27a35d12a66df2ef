"""Train a 2D avatar model or a voice: create the job, upload its data, submit it, wait."""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowException

from metastudio_provider.catalog import get_path
from metastudio_provider.hooks.metastudio import with_identity
from metastudio_provider.operators.base import run_identity
from metastudio_provider.operators.waiting import event_result
from metastudio_provider.operators.workflow import WorkflowOperator, deterministic_name, read_source
from metastudio_provider.signing import content_md5
from metastudio_provider.states import VOICE_JOB_AWAITING_DATA


class TrainAvatarOperator(WorkflowOperator):
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
                self.hook.client.upload(url, content, content_md5=content_md5(content),
                                        content_type="application/octet-stream")
            self.hook.call("Execute2dModelTrainingCommandByUser", {"job_id": job_id}, body={"command": "SUBMITVERIFYING"})
        context["ti"].xcom_push(key="job_id", value=job_id)
        self._link(context, "avatar_training_job", {"job_id": job_id})
        return self.execute_complete(context, self._wait("avatar_training_job", {"job_id": job_id}))

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        context["ti"].xcom_push(key="asset_id", value=response.get("asset_id"))
        return {"job_id": response["job_id"], "state": response["state"], "asset_id": response.get("asset_id")}


class TrainVoiceOperator(WorkflowOperator):
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
        create = self._CREATE[self.edition]
        body = with_identity(create, {"voice_name": self.voice_name or deterministic_name(context, "voice"),
                                             **self.job_fields}, run_identity(context))
        found = self.hook.find_existing(create, body) if self._retrying(context) else None
        if found:  # an earlier try created it: upload again only if it never got its data
            job_id = found["job_id"]
            state = self.hook.call("ShowVoiceTrainingJob", {"job_id": job_id}).get("state")
            address = self.hook.call("ShowJobUploadingAddress", {"job_id": job_id}) if state == VOICE_JOB_AWAITING_DATA else {}
            url = get_path(address, "package_url.training_data_uploading_url")
        else:
            created = self.hook.call(create, body=body)
            job_id, url = created["job_id"], created.get("training_data_uploading_url")
            if not url:
                raise AirflowException(f"{create} returned no training_data_uploading_url for job {job_id}")
        if url:
            _, content = read_source(self.data)
            self.hook.client.upload(url, content, content_md5=content_md5(content), content_type="application/zip")
            self.hook.call("CommitVoiceTrainingJob", {"job_id": job_id}, body={})
        context["ti"].xcom_push(key="job_id", value=job_id)
        self._link(context, "voice_training_job", {"job_id": job_id})
        return self.execute_complete(context, self._wait("voice_training_job", {"job_id": job_id}))

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        context["ti"].xcom_push(key="asset_id", value=response.get("asset_id"))
        return {"job_id": response["job_id"], "state": response["state"], "asset_id": response.get("asset_id")}
