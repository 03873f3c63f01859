"""The OS sandbox every grading kernel runs in: bubblewrap (`bwrap`, the sandbox Flatpak uses).

Inside, a kernel sees the system, Python, the course package and the data read-only; one
writable folder holding its notebook's working copy; a private /tmp; no network; its own PID
namespace (every process it starts dies with it, and it cannot see or signal the grader's). It
cannot see solutions/, the release, any gradebook, other submissions or the results.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tools.course import CourseError

# System files a Python kernel needs; the rest of /etc (keys, shadow files, ...) stays outside.
SYSTEM_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd", "group", "nsswitch.conf",
              "hosts", "ssl", "ca-certificates", "fonts", "mime.types", "alternatives", "matplotlibrc")
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
SYSTEM_PROGRAM = "/bin/true"        # what the probe runs to tell a sandbox that cannot start from a missing interpreter
INSTALL_HINT = ("install bubblewrap: `sudo apt-get install bubblewrap` (Debian, Ubuntu), "
                "`sudo dnf install bubblewrap` (Fedora) or `sudo pacman -S bubblewrap` (Arch)")
NO_SANDBOX_HINT = "or pass --no-sandbox (only for trusted submissions)"


class SandboxUnavailable(CourseError):
    """bubblewrap is missing or cannot create a sandbox here; the message says how to fix it."""


@dataclass(frozen=True)
class SandboxSpec:
    """What one kernel's sandbox holds.

    read_only: host paths visible read-only at the same place; writable: host paths visible
    read-write (the notebook's folder, the kernel's connection folder); workdir: where the kernel
    starts; env: its whole environment (nothing else is inherited); tmp_bytes: the size of /tmp;
    mounted_read_only: files or folders shown read-only at another path; mounted_dirs: folders
    shown read-write at another path; empty_dirs: folders created inside.
    """

    read_only: tuple[Path, ...]
    writable: tuple[Path, ...]
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    tmp_bytes: int = 1 << 30
    mounted_read_only: tuple[tuple[Path, Path], ...] = ()   # (host path, path inside), read-only
    mounted_dirs: tuple[tuple[Path, Path], ...] = ()    # (host folder, path inside), read-write
    empty_dirs: tuple[str, ...] = ()                     # created inside (e.g. a home under /tmp)


def bwrap_path() -> str | None:
    """The bwrap program, or None when it is not installed."""
    return shutil.which("bwrap")


def python_paths() -> list[Path]:
    """Folders the running Python needs: its installation and, for a virtual environment, the base one."""
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
             Path(os.path.realpath(sys.executable)).parent.parent}
    return sorted(paths)


def _collapse(paths) -> list[Path]:
    """Drop paths inside other paths of the list (binding the outer one is enough)."""
    unique = sorted({Path(os.path.realpath(p)) for p in paths if Path(p).exists()})
    kept: list[Path] = []
    for path in unique:
        if not any(path == k or k in path.parents for k in kept):
            kept.append(path)
    return kept


def arguments(spec: SandboxSpec) -> list[str]:
    """bwrap's options for the sandbox described by `spec` (what comes between the program and `--`)."""
    args = ["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--hostname", "grading", "--clearenv", "--proc", "/proc", "--dev", "/dev"]
    for directory in SYSTEM_DIRS:
        path = Path(directory)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), directory]
        elif path.is_dir():
            args += ["--ro-bind", directory, directory]
    for name in SYSTEM_ETC:
        path = Path("/etc") / name
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--size", str(spec.tmp_bytes), "--tmpfs", "/tmp"]
    for path in _collapse([*python_paths(), *spec.read_only]):
        if not any(path == Path(d) or Path(d) in path.parents for d in SYSTEM_DIRS):
            args += ["--ro-bind", str(path), str(path)]
    for path in spec.writable:
        args += ["--bind", str(path), str(path)]
    for host, inside in spec.mounted_read_only:
        args += ["--ro-bind", str(host), str(inside)]
    for host, inside in spec.mounted_dirs:
        args += ["--bind", str(host), str(inside)]
    for directory in spec.empty_dirs:
        args += ["--dir", directory]
    for name, value in spec.env.items():
        args += ["--setenv", name, value]
    return args + ["--chdir", str(spec.workdir)]


def command(spec: SandboxSpec, argv: list[str]) -> list[str]:
    """The bwrap command line that runs `argv` inside the sandbox described by `spec`."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable(f"bubblewrap (bwrap) is not installed; {INSTALL_HINT}")
    return [bwrap, *arguments(spec), "--", *argv]


def links_in(path: Path) -> list[tuple[Path, Path]]:
    """The symbolic links on the way to `path` (the last part excluded): [(link, where it points)]."""
    found, current = [], Path(path.anchor)
    for part in path.parts[1:-1]:
        current = current / part
        if current.is_symlink():
            found.append((current, Path(os.path.realpath(current))))
    return found


def interpreter_not_visible(interpreter: Path, reason: str) -> SandboxUnavailable:
    """The error for a sandbox that starts but cannot run `interpreter`, naming the link that hides it."""
    links = links_in(interpreter)
    if links:
        link, target = links[-1]
        fix = (f"{link} is a symbolic link to {target}, and the sandbox shows only the folder it points to: "
               f"make {link} a real folder (for the course's environment: `rm {link} && make install`)")
    else:
        fix = "install it in a folder the sandbox shows (a virtual environment, or the Python it was made from)"
    return SandboxUnavailable(
        f"the sandbox starts, but the interpreter {interpreter} is not visible in it (a link to a folder outside "
        f"it?), so no grading kernel can run ({reason}). {fix}, {NO_SANDBOX_HINT}.")


def namespaces_off(reason: str) -> SandboxUnavailable:
    """The error for a bwrap that cannot create any sandbox here."""
    return SandboxUnavailable(
        f"bwrap is installed but cannot create a sandbox here ({reason}). It needs unprivileged user "
        f"namespaces: enable them (`sudo sysctl -w kernel.unprivileged_userns_clone=1`, or on Ubuntu 24.04 "
        f"`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`), grade on another machine, "
        f"{NO_SANDBOX_HINT}.")


def _probe(argv: list[str]) -> tuple[bool, str]:
    """Run `argv` in an empty sandbox: (whether it ran, bwrap's last line of complaint)."""
    spec = SandboxSpec(read_only=(), writable=(), workdir=Path("/"), env={"PATH": "/usr/bin:/bin"})
    try:
        result = subprocess.run(command(spec, argv), capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"bwrap could not be started ({error}); reinstall bubblewrap, {NO_SANDBOX_HINT}.")
    return result.returncode == 0, (result.stderr.strip().splitlines() or ["no message"])[-1]


def check_available(interpreter: Path | None = None) -> None:
    """Raise SandboxUnavailable, naming the cause and its fix, unless bwrap can run `interpreter` (this one) here."""
    interpreter = Path(interpreter or sys.executable)
    if sys.platform != "linux":
        raise SandboxUnavailable(
            f"grading in a sandbox needs Linux (bubblewrap); this is {sys.platform}. Grade on a Linux machine "
            f"or in a Linux VM, {NO_SANDBOX_HINT}.")
    if bwrap_path() is None:
        raise SandboxUnavailable(
            f"bubblewrap (bwrap) is not installed, and grading runs each kernel in its sandbox; {INSTALL_HINT}. "
            f"Or pass --no-sandbox to grade without one (only for trusted submissions).")
    ran, reason = _probe([str(interpreter), "-c", "pass"])
    if ran:
        return
    system_ran, _ = _probe([SYSTEM_PROGRAM])
    raise interpreter_not_visible(interpreter, reason) if system_ran else namespaces_off(reason)
