"""``python -m grading``: a thin command line over the package's plain Python functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .assignments import discover


def _assignments(args: argparse.Namespace):
    found = discover(Path(args.master), Path(args.dist))
    if args.names:
        unknown = sorted(set(args.names) - {a.name for a in found})
        if unknown:
            raise SystemExit(f"unknown assignment(s): {', '.join(unknown)} (in {args.master})")
        found = [a for a in found if a.name in args.names]
    return found


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    for assignment in _assignments(args):
        zip_path = build(assignment, run_tests=not args.no_run_tests, quiet=not args.verbose)
        print(f"built {assignment.dist_dir}: student/, autograder/ and {zip_path.name}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    print(run_demo(_assignments(args)))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m grading", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    def add(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("names", nargs="*", help="assignment names (default: all under --master)")
        p.add_argument("--master", default="master", help="folder of master notebooks")
        p.add_argument("--dist", default="dist", help="folder of built distributions")
        p.set_defaults(handler=handler)
        return p

    build = add("build", cmd_build, "compile master notebooks into dist/ with Otter Assign")
    build.add_argument("--no-run-tests", action="store_true", help="skip checking the solutions")
    build.add_argument("-v", "--verbose", action="store_true", help="show Otter's own output")
    add("demo", cmd_demo, "build, then grade the bundled sample submissions with otter run")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
