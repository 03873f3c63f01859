"""Start a grading kernel: capture what the checks rely on before any student code runs.

    python start_kernel.py --token-key-file KEY -f CONNECTION_FILE [ipykernel options]

The grader starts this (inside the bubblewrap sandbox) instead of ipykernel's launcher. Before the
kernel serves its first request it imports the libraries the checks use, reads the grader's secret
key from KEY and deletes the file, and installs the guard (guard.py) as `__grading__` in builtins.
"""
from __future__ import annotations

import builtins
import hashlib
import hmac
import os

from .guard import Guard
from .libraries import import_libraries
from .protocol import GUARD_NAME


def read_key(path: str) -> bytes:
    """The signing key, read once; the file is deleted so that notebook code cannot read it."""
    with open(path, "rb") as handle:
        key = handle.read()
    os.unlink(path)
    if len(key) < 16:
        raise SystemExit(f"grading kernel: the token key in {path} is too short")
    return key


def serve(key_file: str, kernel_args: list[str]) -> None:
    """Read the signing key, start ipykernel with the guard installed, and serve until shut down."""
    signer = hmac.new(read_key(key_file), digestmod=hashlib.sha256)
    from ipykernel.kernelapp import IPKernelApp
    app = IPKernelApp.instance()
    app.initialize(kernel_args)
    setattr(builtins, GUARD_NAME, Guard(app.shell, signer))
    del signer
    app.start()


def parse_arguments(argv: list[str]) -> tuple[str | None, list[str]]:
    """(the --token-key-file value, the rest for ipykernel)."""
    key_file, rest = None, []
    arguments = iter(argv)
    for argument in arguments:
        if argument == "--token-key-file":
            key_file = next(arguments, None)
        else:
            rest.append(argument)
    return key_file, rest


def main(argv: list[str]) -> None:
    key_file, rest = parse_arguments(argv)
    if key_file is None:
        raise SystemExit("grading kernel: --token-key-file is required")
    import_libraries()
    serve(key_file, rest)
