"""The fake OBS bucket behind upload and download URLs: pre-signed PUT and GET, no AK/SK.

A PUT must carry ``Content-MD5`` equal to the ``file_md5`` declared in CreateFile (when one was
declared) and the body's MD5 must match it; otherwise OBS-style XML errors are returned.
"""

from __future__ import annotations

import base64
import hmac
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response

from metastudio_provider.signing import content_md5

from .handlers.base import OBS_BUCKET, presign
from .records import new_id
from .runtime import EmulatorState


def obs_error(status: int, code: str, message: str) -> Response:
    request_id = new_id()[:16].upper()
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>"
           f"<RequestId>{request_id}</RequestId><HostId>metastudio-emulator</HostId></Error>")
    return Response(xml, status_code=status, media_type="application/xml",
                    headers={"x-obs-request-id": request_id, "X-Request-Id": request_id})


def _check_url(state: EmulatorState, request: Request, bucket: str, key: str, method: str) -> Response | None:
    if bucket != OBS_BUCKET:
        return obs_error(404, "NoSuchBucket", f"The specified bucket {bucket} does not exist.")
    expires, sig = request.query_params.get("Expires", ""), request.query_params.get("Signature", "")
    if not expires.isdigit() or not sig:
        return obs_error(403, "AccessDenied", "The URL is not pre-signed (Expires and Signature are required).")
    if int(expires) < state.config.clock():
        return obs_error(403, "AccessDenied", "Request has expired.")
    if not hmac.compare_digest(sig, presign(state.url_secret, method, key, int(expires))):
        return obs_error(403, "SignatureDoesNotMatch",
                         "The request signature we calculated does not match the signature you provided.")
    return None


def build_router(state: EmulatorState) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.put("/_obs/{bucket}/{key:path}")
    async def put_object(bucket: str, key: str, request: Request) -> Response:
        denied = _check_url(state, request, bucket, key, "PUT")
        if denied is not None:
            return denied
        data = await request.body()
        declared = request.headers.get("content-md5")
        with state.store.lock:
            obj = state.store.objects.get(key)
            if obj is None:
                return obs_error(404, "NoSuchKey", "The upload slot does not exist.")
            if obj.expected_md5 is not None and not declared:
                return obs_error(400, "InvalidDigest", "The Content-MD5 header is required and must equal file_md5.")
            if obj.expected_md5 is not None and declared != obj.expected_md5:
                return obs_error(400, "BadDigest",
                                 "The Content-MD5 you specified does not match the file_md5 given to CreateFile.")
            if declared is not None and declared != content_md5(data):
                return obs_error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
            obj.data = data
            obj.content_type = request.headers.get("content-type") or obj.content_type
            if obj.expected_md5 is None:
                obj.expected_md5 = content_md5(data)
        etag = base64.b64decode(content_md5(data)).hex()
        return Response(status_code=200, headers={"ETag": f'"{etag}"', "x-obs-request-id": new_id()[:16].upper()})

    @router.get("/_obs/{bucket}/{key:path}")
    async def get_object(bucket: str, key: str, request: Request) -> Response:
        denied = _check_url(state, request, bucket, key, "GET")
        if denied is not None:
            return denied
        with state.store.lock:
            obj = state.store.objects.get(key)
            data = obj.data if obj is not None else None
            content_type = obj.content_type if obj is not None else ""
        if data is None:
            return obs_error(404, "NoSuchKey", "The specified key does not exist.")
        etag = f'"{base64.b64decode(content_md5(data)).hex()}"'
        return Response(data, media_type=content_type, headers={"ETag": etag})

    return router
