"""File management: CreateFile, ConfirmFileUpload, DeleteFile, CreateLargeFile (4 APIs)."""

from __future__ import annotations

from ..errors import bad_state, invalid
from ..records import FileRecord, new_id
from .assets import tenant_asset
from .base import Ctx, Handler, Reply, Result

MAX_FILE_SIZE = 5 * 1024**3
MAX_PARTS = 100


def _content_type(file_type: str) -> str:
    return {"gif": "image/gif", "jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png", "mp4": "video/mp4",
            "mp3": "audio/mp3", "wav": "audio/wav"}.get(file_type.lower(), "application/octet-stream")


def create_file(ctx: Ctx) -> Result:
    b = ctx.body
    asset = tenant_asset(ctx, b["asset_id"])
    if b["file_size"] > MAX_FILE_SIZE:
        raise invalid("parameter 'file_size' must not exceed 5 GB; use CreateLargeFile")
    file_id = new_id()
    key = ctx.store.new_upload_slot("files", expected_md5=b["file_md5"], name=file_id,
                                    content_type=_content_type(b["file_type"]))
    ctx.store.files[file_id] = FileRecord(file_id, asset.asset_id, b["file_name"], b["file_md5"], b["file_size"],
                                          b["file_type"], b["asset_file_category"], key)
    asset.file_ids.append(file_id)
    asset.updated = ctx.now
    return {"file_id": file_id, "upload_url": ctx.object_url(key, "PUT")}


def create_large_file(ctx: Ctx) -> Result:
    b = ctx.body
    asset = tenant_asset(ctx, b["asset_id"])
    parts = b.get("file_multipart_count") or 1
    if not isinstance(parts, int) or not 1 <= parts <= MAX_PARTS:
        raise invalid(f"parameter 'file_multipart_count' must be an integer between 1 and {MAX_PARTS}")
    file_id = new_id()
    keys = [ctx.store.new_upload_slot(f"large-files/{file_id}") for _ in range(parts)]
    ctx.store.large_file_parts[file_id] = keys
    ctx.store.files[file_id] = FileRecord(file_id, asset.asset_id, b["file_name"], "", int(b.get("file_size") or 0),
                                          b["file_type"], b["asset_file_category"], f"files/{file_id}")
    asset.file_ids.append(file_id)
    return {"file_id": file_id, "upload_urls": [ctx.object_url(k, "PUT") for k in keys]}


def _assemble_large_file(ctx: Ctx, record: FileRecord) -> bool:
    """Join uploaded parts into the file's object; False if a part is missing."""
    keys = ctx.store.large_file_parts.get(record.file_id)
    if keys is None:
        return True
    parts = [ctx.store.objects[k].data for k in keys]
    if any(p is None for p in parts):
        return False
    data = b"".join(p for p in parts if p is not None)
    ctx.store.put_object(record.object_key, data, _content_type(record.file_type))
    record.file_md5 = ctx.store.objects[record.object_key].expected_md5 or ""
    record.file_size = len(data)
    return True


def confirm_file_upload(ctx: Ctx) -> Result:
    record = ctx.get(ctx.store.files, "file", "file_id")
    if record.state == "DELETED":
        raise invalid(f"file {record.file_id} was deleted")
    state = ctx.body["state"]
    asset = ctx.store.assets[record.asset_id]
    if state == "CREATED":
        assembled = _assemble_large_file(ctx, record)
        obj = ctx.store.objects.get(record.object_key)
        if not assembled or obj is None or obj.data is None:
            raise bad_state(f"file {record.file_id} has not been uploaded to its upload_url")
        record.state = "CREATED"
        if record.category == "MAIN" and asset.state in ("CREATING", "FAILED"):
            asset.state = "ACTIVED"
    else:
        record.state = state
        if record.category == "MAIN" and state == "FAILED" and asset.state == "CREATING":
            asset.state = "FAILED"
    asset.updated = ctx.now
    return {}


def delete_file(ctx: Ctx) -> Result:
    record = ctx.get(ctx.store.files, "file", "file_id")
    tenant_asset(ctx, record.asset_id)
    record.state = "DELETED"
    ctx.store.objects.pop(record.object_key, None)
    asset = ctx.store.assets[record.asset_id]
    asset.file_ids = [f for f in asset.file_ids if f != record.file_id]
    del ctx.store.files[record.file_id]
    return Reply(status=204)


HANDLERS: dict[str, Handler] = {
    "CreateFile": create_file,
    "DeleteFile": delete_file,
    "ConfirmFileUpload": confirm_file_upload,
    "CreateLargeFile": create_large_file,
}
