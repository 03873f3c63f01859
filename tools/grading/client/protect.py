"""Detect-and-restore for grading without a sandbox (`--no-sandbox`).

Without bubblewrap a kernel runs with the grader's rights and could change files anywhere. The
grader then snapshots the submissions folder and the results folder before the batch, and after
each submission puts back whatever changed, naming the submissions that were being graded at the
time. With the sandbox none of this is needed: a kernel cannot see those folders.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class FileGuard:
    """Snapshots of protected folders, with a backup to restore from."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = [f.resolve() for f in folders]
        self._backup = Path(tempfile.mkdtemp(prefix="grading-backup-"))
        self._known: dict[Path, tuple[str, Path]] = {}
        self._copies = 0
        for folder in self.folders:
            for path in folder.rglob("*"):
                self.accept(path)

    def accept(self, path: Path) -> None:
        """Record `path` as it is now (the grader wrote it, or it was there before)."""
        path = path.resolve()
        if not path.is_file():
            return
        self._copies += 1
        copy = self._backup / str(self._copies)
        shutil.copy2(path, copy)
        self._known[path] = (_digest(path), copy)

    def accept_tree(self, folder: Path) -> None:
        for path in folder.rglob("*"):
            self.accept(path)

    def repair(self) -> list[str]:
        """Restore changed or deleted files, remove new ones; return the paths that were repaired."""
        repaired = []
        present = {p.resolve() for folder in self.folders if folder.exists() for p in folder.rglob("*") if p.is_file()}
        for path, (digest, copy) in self._known.items():
            if path not in present or _digest(path) != digest:
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(copy, path)
                repaired.append(str(path))
        for path in sorted(present - set(self._known)):
            path.unlink()
            repaired.append(str(path))
        return repaired

    def close(self) -> None:
        shutil.rmtree(self._backup, ignore_errors=True)
