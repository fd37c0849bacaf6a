"""Benchmarks, one module each, each printing one line. Every one takes `--quick`: a run of a few seconds that
shows the bench still works end to end (tests/test_benches.py runs them all that way); its figures mean nothing."""

from __future__ import annotations

import argparse
from typing import Any


def parse(parser: argparse.ArgumentParser, **quick: Any) -> argparse.Namespace:
    """The bench's arguments; with `--quick`, the sizes given here instead of the ones asked for."""
    parser.add_argument("--quick", action="store_true",
                        help="a few seconds, to check the bench runs and prints its line (figures mean nothing)")
    args = parser.parse_args()
    if args.quick:
        for name, value in quick.items():
            setattr(args, name, value)
    return args
