"""What ``metastudio limits`` shows: per API, the table's limit next to what the shared limiter learned."""

from __future__ import annotations

from typing import Any

from metastudio_provider.catalog import all_apis
from metastudio_provider.client.limiter import RateLimiter, limiter_key

COLUMNS = ("api", "table", "learned", "ceiling", "throttled_recent", "calls_last_minute", "blocked_for")
HEADERS = ("API", "table/s", "learned/s", "429 at/s", "429s (5 min)", "calls (1 min)", "blocked s")


def limit_rows(limiter: RateLimiter, project_id: str, region: str, *, every_api: bool = False) -> list[dict[str, Any]]:
    """One row per API of ``region`` the store holds a state for (every API with ``every_api``)."""
    apis = all_apis()
    keys = {name: limiter_key(project_id, region, name) for name in apis}
    states = limiter.snapshot(list(keys.values()))
    rows = []
    for name, api in sorted(apis.items()):
        state = states.get(keys[name])
        if state is None and not every_api:
            continue
        rows.append({"api": name, "table": api.limit(region), **(state or {})})
    return rows


def format_rows(rows: list[dict[str, Any]]) -> str:
    """A plain-text table; ``-`` where the store knows nothing."""

    def cell(value: Any) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:.2f}" if value else "-"
        return str(value)

    table = [HEADERS] + [tuple(cell(row.get(column)) for column in COLUMNS) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(text.ljust(w) if i == 0 else text.rjust(w) for i, (text, w) in
                               enumerate(zip(line, widths, strict=True))) for line in table)
