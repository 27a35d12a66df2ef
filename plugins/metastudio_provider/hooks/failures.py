"""Permanent failures (no Airflow retry) and the masking of a connection's secrets, in one place.

A 4xx other than 429 and a wrong connection setting will fail the same way on every try, so
they are raised as ``AirflowFailException`` subclasses that stay ``MetaStudioError``s too (code
catching those, like the backfill's per-row reports, keeps working). Transient errors (5xx,
429, network) are left to the client's retries with backoff and then to Airflow's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.client.errors import MetaStudioAPIError, MetaStudioConfigError
from metastudio_provider.client.redact import uri_password

_HINTS = {
    401: "MetaStudio refused the signature: check the connection's login/password (AK/SK)",
    403: "check the connection's login/password (AK/SK), its extra project_id and the account's MetaStudio "
         "permissions",
    404: "something the request names does not exist: check the ids (or the connection's endpoint/region)",
}
_DEFAULT_HINT = "fix the request as MetaStudio's message says"

_CONNECTION_FIELDS = {
    "region": "extra region",
    "endpoint": "extra endpoint (or host)",
    "rate_limit_storage": "extra rate_limit_storage (or the Airflow option [metastudio] rate_limit_storage)",
    "ak": "login (AK)",
    "sk": "password (SK)",
    "project_id": "extra project_id",
}
_SECRET_WORDS = ("password", "secret", "token", "passwd", "private", "credential", "api_key", "apikey", "sk")


class _Permanent(AirflowFailException):
    """Serialized and pickled as a plain ``AirflowFailException`` with the same message."""

    def serialize(self) -> tuple[str, tuple[str], dict]:
        return "airflow.sdk.exceptions.AirflowFailException", (str(self),), {}

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return AirflowFailException, (str(self),)


# AirflowException's status_code is inferred as HTTPStatus from its default; ours is the plain int MetaStudio answered.
class MetaStudioPermanentError(MetaStudioAPIError, _Permanent):  # type: ignore[misc]
    """MetaStudio refused the request with a 4xx other than 429: retrying cannot help."""

    @classmethod
    def from_error(cls, exc: MetaStudioAPIError) -> MetaStudioPermanentError:
        err = cls(exc.api, exc.status_code, exc.error_code, exc.error_msg, exc.request_id)
        err.args = (f"{exc}. Not retried: {_HINTS.get(exc.status_code, _DEFAULT_HINT)}",)
        return err

    def __str__(self) -> str:
        return str(self.args[0])


class MetaStudioConfigFailure(MetaStudioConfigError, _Permanent):
    """The MetaStudio connection is wrong: ``field`` is the connection field to fix."""

    @classmethod
    def from_error(cls, exc: MetaStudioConfigError) -> MetaStudioConfigFailure:
        fields = [_CONNECTION_FIELDS.get(name.strip(), name.strip()) for name in exc.field.split(",")]
        problem = str(exc).split(": ", 2)[-1]
        return cls(" and ".join(fields), problem)


@contextmanager
def permanent_errors() -> Iterator[None]:
    """Re-raise permanent MetaStudio errors as their ``AirflowFailException`` twins."""
    try:
        yield
    except (MetaStudioPermanentError, MetaStudioConfigFailure):
        raise
    except MetaStudioAPIError as exc:
        if exc.permanent:
            raise MetaStudioPermanentError.from_error(exc) from exc
        raise
    except MetaStudioConfigError as exc:
        raise MetaStudioConfigFailure.from_error(exc) from None


def is_secret_key(key: str) -> bool:
    """An extra whose name says it holds a secret (``password``, ``token``, ``secret_key``, ...)."""
    words = key.lower().replace("-", "_").split("_")
    lowered = key.lower()
    return any(word in words or (len(word) > 3 and word in lowered) for word in _SECRET_WORDS)


def mask_connection_secrets(conn: Any, extras: Mapping[str, Any]) -> None:
    """Register every secret of the connection with Airflow's secrets masker: the password (SK), the
    passwords inside URIs (host, ``endpoint``, ``rate_limit_storage``, any extra URI) and every extra
    whose name says it is secret."""
    secrets: list[str] = [conn.password] if conn.password else []
    secrets += [str(v) for k, v in extras.items() if is_secret_key(str(k)) and v not in (None, "")]
    for secret in secrets:
        _mask(secret)
    for value in (conn.host, *extras.values()):
        mask_uri_password(value)


def mask_uri_password(value: Any) -> None:
    """Register the password inside a URI (``redis://user:pw@host``) with the secrets masker."""
    if isinstance(value, str) and "://" in value and (password := uri_password(value)):
        _mask(password)


def _mask(secret: str) -> None:
    try:
        from airflow.sdk.log import mask_secret

        mask_secret(secret)
    except Exception:  # masking is best effort outside a task
        pass
