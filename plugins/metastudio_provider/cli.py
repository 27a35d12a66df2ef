"""The ``metastudio`` command. Subcommands live in ``SUBCOMMANDS`` (name → Subcommand)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from metastudio_provider.catalog import REGIONS


@dataclass(frozen=True)
class Subcommand:
    """One ``metastudio <name>``: its help line, how to add its options, and what it runs."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _pools_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", choices=REGIONS, required=True, help="region whose limits size the pools")


def _run_pools(args: argparse.Namespace) -> int:
    import json

    from metastudio_provider.pools import pools

    print(json.dumps(pools(args.region), indent=2, sort_keys=True))
    return 0


SUBCOMMANDS: dict[str, Subcommand] = {
    "pools": Subcommand("print the Airflow pools (JSON for `airflow pools import`)", _pools_arguments, _run_pools),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="metastudio", description="Tools of the MetaStudio Airflow provider.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, sub in SUBCOMMANDS.items():
        sub.add_arguments(subparsers.add_parser(name, help=sub.help, description=sub.help,
                                                formatter_class=argparse.ArgumentDefaultsHelpFormatter))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return SUBCOMMANDS[args.command].run(args)


if __name__ == "__main__":
    raise SystemExit(main())
