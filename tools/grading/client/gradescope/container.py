"""What Gradescope's container lets one submission use: its cores and its memory, read from its control group.

A container sees the host's cores in os.cpu_count() whatever its share, and the grader's own
memory limit (6 GiB) may exceed the container's: a kernel that outgrew the container would take
run_autograder down with it, and no results would be written. So the autograder sizes both to the
container: the compute threads to its CPU quota, the kernel's memory to a share of its limit,
leaving the rest to the grader itself. Both cgroup versions are read (v2's cpu.max and
memory.max, v1's cpu.cfs_* and memory.limit_in_bytes); without a limit, the machine's.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")
KERNEL_SHARE = 0.7          # of the container's memory, for the kernel and what it starts; the rest is the grader's
GIB = 2**30


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def cores(cgroup: Path = CGROUP) -> int:
    """The cores the container may use: its CPU quota, else the cores this process may run on."""
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = None
    v2 = _read(cgroup / "cpu.max")
    if v2 and not v2.startswith("max"):
        limit, period = v2.split()[:2]
        quota = int(limit) / int(period)
    else:
        limit, period = _read(cgroup / "cpu" / "cpu.cfs_quota_us"), _read(cgroup / "cpu" / "cpu.cfs_period_us")
        if limit and period and int(limit) > 0:
            quota = int(limit) / int(period)
    return max(1, min(available, math.floor(quota) if quota else available))


def memory_bytes(cgroup: Path = CGROUP) -> int | None:
    """The container's memory limit in bytes, or None when it has none."""
    for path in (cgroup / "memory.max", cgroup / "memory" / "memory.limit_in_bytes"):
        text = _read(path)
        if text and text != "max" and text.isdigit() and int(text) < 2**60:
            return int(text)
    return None


def kernel_memory_gb(default: float, cgroup: Path = CGROUP) -> float:
    """The memory a kernel may use: the grader's default, or less where the container holds less."""
    limit = memory_bytes(cgroup)
    return default if limit is None else min(default, round(KERNEL_SHARE * limit / GIB, 2))
