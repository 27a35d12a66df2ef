"""Duplicate avoidance: a create whose outcome is unknown is looked for before it is sent again.

- ``with_fresh_token``: a create is sent carrying an identity token (``client.identity``) where its
  catalog ``dedupe`` rule has an identity field, so what it made can be told apart later.
- ``maybe_processed``: could the server have acted on a request that failed (a 5xx, a lost response)?
- ``Lookup``: then the next attempt is not a blind re-send by the retry policy (``client.retry``): it
  first lists what the ``dedupe`` rule names and returns what the earlier attempt made.
The clients (``client.clients``) drive these; ``MetaStudioHook.create_or_resume`` builds on them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from metastudio_provider.catalog import Api, get_path
from metastudio_provider.client.errors import (
    MetaStudioAPIError,
    MetaStudioOutcomeUnknownError,
    MetaStudioThrottledError,
)
from metastudio_provider.client.identity import carries, random_token, token_in, with_token
from metastudio_provider.client.request import Call

log = logging.getLogger(__name__)


def with_fresh_token(api: Api, body: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """``body`` as sent: a create whose ``dedupe`` rule has an identity field gets a fresh token there if the
    body carries none, so a lookup after a lost response finds only what this very call made."""
    rule = api.dedupe
    if rule and rule.identity and body is not None and not token_in(get_path(body, rule.identity)):
        return with_token(dict(body), rule.identity, random_token())
    return body


def maybe_processed(exc: BaseException) -> bool:
    """Could the server have acted on the request that failed with ``exc``?"""
    if isinstance(exc, MetaStudioThrottledError):
        return False
    if isinstance(exc, MetaStudioAPIError):
        return exc.status_code >= 500
    return bool(getattr(exc, "maybe_processed", False))


@dataclass
class Lookup:
    """How a create avoids duplicates when its outcome is unknown.

    After a create failed in a way that may have been processed (a 5xx, a lost response),
    the next attempt first lists the resources the catalog's ``dedupe`` rule names and returns
    the one this create made instead of creating it again: the one carrying the body's identity
    token (``client.identity``) where the rule has an ``identity`` field, else the one matching
    ``match``. A create with no such rule is not re-sent at all (``MetaStudioOutcomeUnknownError``).
    """

    call: Call
    pending: bool = field(default=False)

    def after_failure(self, exc: Exception) -> None:
        """Decide, for a create that failed with ``exc``, whether the next attempt may re-send it: look first
        (``pending``) if the server may have made it; raise ``MetaStudioOutcomeUnknownError`` if it may have
        and nothing can find it (no ``dedupe`` rule). Not a create, or surely not processed: re-send."""
        if not (self.call.api.creates and maybe_processed(exc)):
            return
        if self.call.api.dedupe is None:
            raise MetaStudioOutcomeUnknownError(self.call.api.name, exc) from exc
        self.pending = True

    @property
    def token(self) -> str | None:
        rule = self.call.api.dedupe
        return token_in(get_path(self.call.payload, rule.identity)) if rule and rule.identity else None

    @property
    def identifiable(self) -> bool:
        """False when the rule needs a token and the body carries none: nothing can be told apart."""
        rule = self.call.api.dedupe
        return rule is not None and (rule.identity is None or self.token is not None)

    def query(self) -> tuple[str, dict[str, Any]]:
        rule = self.call.api.dedupe
        assert rule is not None
        token = self.token

        def value(source: str) -> Any:
            if source.startswith("="):
                return source[1:]
            if token is not None and source == rule.identity:
                return token  # filter on the token alone, not on the user's other tags
            return get_path(self.call.payload, source)

        query = {param: value(source) for param, source in rule.query.items()}
        return rule.list, {**{k: v for k, v in query.items() if v not in (None, "", [])}, "limit": 100}

    def match(self, listing: dict[str, Any]) -> dict[str, Any] | None:
        rule = self.call.api.dedupe
        assert rule is not None
        wanted, token = get_path(self.call.payload, rule.match), self.token
        if rule.identity and token is None:
            return None
        for item in listing.get(rule.items) or []:
            if wanted is not None and get_path(item, rule.match) != wanted:
                continue
            if rule.identity and token is not None and not carries(get_path(item, rule.identity), token):
                continue
            found = {key: item[key] for key in self.call.api.top_level_xcom_fields if key in item}
            log.warning("%s: found the resource an earlier attempt made (%s); not creating it again",
                        self.call.api.name, found)
            return {**item, **found, "found_existing": True}
        return None
