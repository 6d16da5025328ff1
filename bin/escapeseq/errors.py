"""One error type for bad input, and the CLI wrapper that turns it into one line + exit 2.

Every `bin/escapeseq-*` tool runs its `main` through :func:`run_cli`, so bad input never
shows a traceback: the user sees ``<tool>: error: <file>: <where>: <what is wrong>``.
"""

from __future__ import annotations

import sys
from typing import Callable, Sequence


class InputError(Exception):
    """Bad user input: a file, row, record or field that cannot be used.

    ``str(err)`` is the whole one-line message: the file, where in it, and what is wrong.
    """

    def __init__(self, path: object, where: str | None, problem: str):
        self.path = str(path) if path is not None else None
        self.where = where
        self.problem = problem
        parts = [p for p in (self.path, where, problem) if p]
        super().__init__(": ".join(parts))


def _number(text: str) -> float:
    import argparse
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if v != v:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number")
    return v


def fraction(text: str) -> float:
    """argparse type: a fraction in [0, 1]."""
    import argparse
    v = _number(text)
    if not 0 <= v <= 1:
        raise argparse.ArgumentTypeError(f"must be a fraction in [0, 1], got {text}")
    return v


def positive_fraction(text: str) -> float:
    """argparse type: a fraction in (0, 1]."""
    import argparse
    v = _number(text)
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"must be a fraction in (0, 1], got {text}")
    return v


def add_version(parser) -> None:
    """Give an argparse parser the standard `--version` option."""
    from escapeseq import __version__
    parser.add_argument("--version", action="version",
                        version=f"{parser.prog} {__version__}")


def run_cli(prog: str, main: Callable[[Sequence[str] | None], int],
            argv: Sequence[str] | None = None) -> int:
    """Run ``main(argv)``; report :class:`InputError` (and broken pipes) in one line.

    Returns the process exit code: 0 on success, 2 on bad input.
    """
    try:
        return int(main(argv) or 0)
    except InputError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        return 130
