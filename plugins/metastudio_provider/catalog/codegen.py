"""Write ``operators/api.py``, one typed operator class per catalog API, from ``apis.json``.

``python -m metastudio_provider.catalog.codegen`` (``make generate``) rewrites the file;
``--check`` only says whether the committed file is what the catalog makes (exit 1 if stale).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

from metastudio_provider.catalog import Api, all_apis

COMMAND = "python -m metastudio_provider.catalog.codegen"
TARGET = Path(__file__).resolve().parent.parent / "operators" / "api.py"
WIDTH = 110
"""Generated lines stay within this many characters (ruff's limit is 120)."""

HEADER = f'''\
# Generated from catalog/apis.json by `{COMMAND}` (make generate): do not edit.
# Change the catalog or catalog/codegen.py and regenerate; tests/test_codegen.py fails while this file is stale.
"""One typed operator per catalog API: ``CreateDigitalAssetOperator``, ``StartSmartLiveOperator``, ...

Each takes its path parameters by name (``asset_id=...``, templated; ``project_id`` comes from the
connection), templated ``query`` and ``body``, and the arguments of ``MetaStudioApiOperator`` and
BaseOperator. It returns the JSON response (its XCom ``return_value``) and pushes each of its API's
top-level XCom fields (ids such as ``asset_id`` and ``job_id``, states, counts, upload URLs) under its
own XCom key. Its default pool is its API's pool in its region.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import XComArg

from metastudio_provider.operators.api_base import MetaStudioApiOperator, merge_path_params
'''


def class_name(api: Api) -> str:
    return f"{api.name}Operator"


def _names(items: Iterable[str]) -> str:
    return ", ".join(f"``{item}``" for item in items)


def _wrap(text: str, first: str = "    ", rest: str = "    ") -> list[str]:
    """``text`` as docstring lines of at most ``WIDTH`` characters (words and paths are never split)."""
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest, break_long_words=False,
                         break_on_hyphens=False)


def _param(name: str, text: str) -> list[str]:
    return _wrap(f":param {name}: {text}", rest="        ")


def docstring(api: Api) -> list[str]:
    """The class docstring: title, method and path, parameters, body model, fields pushed to XCom."""
    lines = [*_wrap(f"{api.title} ({api.category}).", first='    """'), "", f"    ``{api.method} {api.path}``", ""]
    for name in api.resource_params:
        lines += _param(name, "path parameter, templated (a string or an upstream ``XComArg``).")
    query = f"query parameters: {_names(api.query_params)}." if api.query_params else "query parameters: none."
    lines += _param("query", query)
    if api.body_model:
        required = f" (required: {_names(api.body_required)})" if api.body_required else ""
        lines += _param("body", f"the JSON body, model ``{api.body_model}``{required}.")
    else:
        lines += _param("body", "the API takes no body.")
    fields = api.top_level_xcom_fields
    also = f"; also {_names(fields)}, each under its own key" if fields else ""
    lines += ["", *_wrap(f"XCom: the JSON response{also}.")]
    if api.dedupe:
        identity = api.dedupe.identity
        lines += ["", *_wrap(
            f"A retried try finds what its earlier try made (``{api.dedupe.list}``) instead of creating it again"
            + (f"; the task instance's identity token goes in ``{identity}``." if identity else "."))]
    lines += ['    """']
    return lines


def operator_class(api: Api) -> str:
    """The source of one generated operator class."""
    lines = [f"class {class_name(api)}(MetaStudioApiOperator):", *docstring(api), "",
             f'    api_name = "{api.name}"', ""]
    lines += ["    def __init__(", "        self,", "        *,"]
    lines += [f"        {name}: str | XComArg | None = None," for name in api.resource_params]
    lines += ["        query: dict[str, Any] | None = None,", "        body: dict[str, Any] | None = None,"]
    lines += ["        **kwargs: Any,", "    ) -> None:"]
    if api.resource_params:
        named = ", ".join(f'"{name}": {name}' for name in api.resource_params)
        lines += [f'        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {{{named}}})']
    lines += ["        super().__init__(query=query, body=body, **kwargs)"]
    return "\n".join(lines) + "\n"


def render() -> str:
    """The whole text of ``operators/api.py`` as the catalog makes it."""
    apis = list(all_apis().values())
    parts = [HEADER, *("\n\n" + operator_class(api) for api in apis), "\n\n"]
    parts.append("API_OPERATORS: dict[str, type[MetaStudioApiOperator]] = {\n")
    parts += [f'    "{api.name}": {class_name(api)},\n' for api in apis]
    parts.append("}\n\n__all__ = [\n")
    parts += [f'    "{name}",\n' for name in ("API_OPERATORS", "MetaStudioApiOperator", *map(class_name, apis))]
    parts.append("]\n")
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from what the catalog makes")
    parser.add_argument("--output", type=Path, default=TARGET, help=f"file to write (default {TARGET})")
    args = parser.parse_args(argv)
    text = render()
    current = args.output.read_text("utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is stale: run `{COMMAND}` (make generate)", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    if current == text:
        print(f"{args.output} unchanged ({len(all_apis())} operators)")
    else:
        args.output.write_text(text, "utf-8")
        print(f"wrote {args.output} ({len(all_apis())} operators)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
