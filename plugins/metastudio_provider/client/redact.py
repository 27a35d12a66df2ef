"""Secrets out of text: URIs with their password replaced by ``***``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^:@/\s]*):(?P<password>[^@/\s]+)@")


def uri_password(uri: str) -> str | None:
    """The password inside ``uri`` (``redis://user:pw@host``), or None."""
    try:
        return urlsplit(uri).password or None
    except ValueError:
        match = _USERINFO.search(uri)
        return match.group("password") if match else None


def redact_uri(text: str) -> str:
    """``text`` with the password of every ``scheme://user:password@`` replaced by ``***``."""
    return _USERINFO.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:***@", text)
