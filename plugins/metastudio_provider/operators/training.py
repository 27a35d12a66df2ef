"""Train a 2D avatar model or a voice: create the job, upload its data, submit it, wait."""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowException

from metastudio_provider.catalog import get_path
from metastudio_provider.operators.base import entry_point, run_identity
from metastudio_provider.operators.workflow import WorkflowOperator, deterministic_name, read_source
from metastudio_provider.signing import content_md5
from metastudio_provider.states import AVATAR_JOB, AVATAR_JOB_AWAITING_VIDEO, VOICE_JOB, VOICE_JOB_AWAITING_DATA
from metastudio_provider.utils.waiting import event_result


class TrainAvatarOperator(WorkflowOperator):
    """Train a 2D avatar model: create the job → upload the training video → submit → wait. Returns ``asset_id``."""

    template_fields = ("name", "video", "job_fields", "metastudio_conn_id")
    api_name = "Create2dModelTrainingJob"

    def __init__(self, *, video: Any, name: str | None = None, job_fields: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.video = video
        self.name = name
        self.job_fields = job_fields or {}

    @entry_point
    def execute(self, context: Any) -> dict[str, Any]:
        job = self.hook.create_or_resume(
            "Create2dModelTrainingJob", {"name": self.name or deterministic_name(context, "avatar"), **self.job_fields},
            identity=run_identity(context), look=self._retrying(context), resume=self._resume)
        job_id = job["job_id"]
        if not job.get("found_existing"):
            self._upload(job.get("training_video_upload_url") or [])
            self._submit(job_id)
        context["ti"].xcom_push(key="job_id", value=job_id)
        self._link(context, "avatar_training_job", {"job_id": job_id})
        return self.execute_complete(context, self._wait("avatar_training_job", {"job_id": job_id}))

    def _resume(self, found: dict[str, Any]) -> dict[str, Any] | None:
        """A job an earlier try made, brought on from its state: still waiting for its video (the try ended
        between create and submit), it is submitted if every part of the video arrived, else deleted and
        made again (its upload URLs are gone with that try); submitted or further, it is waited for."""
        if AVATAR_JOB.failed(found.get("state") or ""):
            return None
        if found.get("state") != AVATAR_JOB_AWAITING_VIDEO:
            return found
        job_id = found["job_id"]
        parts = int(self.job_fields.get("video_multipart_count", 1))
        uploaded = self.hook.call("Execute2dModelTrainingCommandByUser", {"job_id": job_id},
                                  body={"command": "GET_MULTIPART_UPLOADED"}).get("multipart_data") or []
        if len(uploaded) >= parts:
            self.log.info("Avatar training job %s got its video before the last try ended: submitting it", job_id)
            self._submit(job_id)
            return found
        self.log.info("Avatar training job %s never got its video (%d of %d parts): deleting it, making it again",
                      job_id, len(uploaded), parts)
        self.hook.call("Delete2dModelTrainingJob", {"job_id": job_id})
        return None

    def _upload(self, urls: list[str]) -> None:
        _, content = read_source(self.video)
        for url in urls:
            self.hook.client.upload(url, content, content_md5=content_md5(content),
                                    content_type="application/octet-stream")

    def _submit(self, job_id: str) -> None:
        self.hook.call("Execute2dModelTrainingCommandByUser", {"job_id": job_id}, body={"command": "SUBMITVERIFYING"})

    @entry_point
    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        context["ti"].xcom_push(key="asset_id", value=response.get("asset_id"))
        return {"job_id": response["job_id"], "state": response["state"], "asset_id": response.get("asset_id")}


class TrainVoiceOperator(WorkflowOperator):
    """Train a voice: create the job (``edition`` basic, middle or advance) → upload the zip → commit → wait.

    Returns the VOICE_MODEL ``asset_id``.
    """

    template_fields = ("voice_name", "data", "job_fields", "metastudio_conn_id")
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

    @entry_point
    def execute(self, context: Any) -> dict[str, Any]:
        create = self._CREATE[self.edition]
        job = self.hook.create_or_resume(
            create, {"voice_name": self.voice_name or deterministic_name(context, "voice"), **self.job_fields},
            identity=run_identity(context), look=self._retrying(context), resume=self._resume)
        job_id = job["job_id"]
        if not job.get("found_existing"):
            url = job.get("training_data_uploading_url")
            if not url:
                raise AirflowException(f"{create} returned no training_data_uploading_url for job {job_id}")
            self._upload_and_commit(job_id, url)
        context["ti"].xcom_push(key="job_id", value=job_id)
        self._link(context, "voice_training_job", {"job_id": job_id})
        return self.execute_complete(context, self._wait("voice_training_job", {"job_id": job_id}))

    def _resume(self, found: dict[str, Any]) -> dict[str, Any] | None:
        """A job an earlier try made: given its data again (a new upload address) if it never got it."""
        job_id = found["job_id"]
        state = self.hook.call("ShowVoiceTrainingJob", {"job_id": job_id}).get("state") or ""
        if VOICE_JOB.failed(state):
            return None
        if state == VOICE_JOB_AWAITING_DATA:
            address = self.hook.call("ShowJobUploadingAddress", {"job_id": job_id})
            self._upload_and_commit(job_id, get_path(address, "package_url.training_data_uploading_url"))
        return found

    def _upload_and_commit(self, job_id: str, url: str) -> None:
        _, content = read_source(self.data)
        self.hook.client.upload(url, content, content_md5=content_md5(content), content_type="application/zip")
        self.hook.call("CommitVoiceTrainingJob", {"job_id": job_id}, body={})

    @entry_point
    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        context["ti"].xcom_push(key="asset_id", value=response.get("asset_id"))
        return {"job_id": response["job_id"], "state": response["state"], "asset_id": response.get("asset_id")}
