"""Similar submissions: pairs of students whose own answer code shares long passages, for a person to judge.

What a student wrote is taken from the answer cells, less every line of the released cell (the stub
and the given code around it). It is fingerprinted with copydetect: winnowed k-grams of the
tokenised code, with names replaced by placeholders, so renaming variables does not hide a copy.
Fingerprints found anywhere in the released notebook, or written by many students
(`common_passages`, MOSS's rule), are left out: what was handed out, and the usual way to write an
answer, are not signs of copying.

A pair is listed when each side has at least THRESHOLD of its remaining code in passages the other
also has, over at least MIN_TOKENS tokens: two short correct answers can coincide, a copied
notebook is not short. The class report shows the passages side by side; nothing changes a grade.
"""
from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

import nbformat
from copydetect import CodeFingerprint, compare_files

from tools import cells
from tools.grading import compat

NOISE_TOKENS = 25          # copydetect's k: shorter matches are noise
GUARANTEE_TOKENS = 30      # any shared passage this long is always found
THRESHOLD = 0.6
MIN_TOKENS = 100
COMMON_IN = 10             # a passage more than this many students (or a tenth of the class) wrote is common


@dataclass(frozen=True)
class SimilarPair:
    """Two students whose answers share long passages: the share of each one's code that is shared, and the code."""

    first: str
    second: str
    shares: tuple[float, float]
    shared_tokens: int
    highlighted: tuple[str, str]          # each student's answer code as HTML, shared passages in <mark>

    @property
    def share(self) -> float:
        return min(self.shares)


def answer_code(nb: nbformat.NotebookNode, release: nbformat.NotebookNode) -> str:
    """The lines a student wrote in the answer cells: every line of the released cell (stub, given code) left out."""
    given = {cell.id: {line.strip() for line in cell.source.splitlines()} for cell in release.cells}
    written = []
    for cell in nb.cells:
        if cell.cell_type == "code" and cells.is_answer(cell):
            handed = given.get(cell.id, set())
            written += [line for line in cell.source.splitlines() if line.strip() and line.strip() not in handed]
    return "\n".join(written)


def _fingerprint(code: str, boilerplate: list[int] | None = None) -> CodeFingerprint:
    return CodeFingerprint("answers.py", NOISE_TOKENS, GUARANTEE_TOKENS - NOISE_TOKENS + 1, boilerplate,
                           language="python", fp=io.StringIO(code))


def handed_out(release: nbformat.NotebookNode) -> list[int]:
    """Fingerprints of every code cell of the released notebook (what every student starts from)."""
    code = "\n\n".join(cell.source for cell in release.cells if cell.cell_type == "code")
    return compat.winnowed_fingerprints(_fingerprint(code).filtered_code, NOISE_TOKENS,
                                        GUARANTEE_TOKENS - NOISE_TOKENS + 1)


def common_passages(answers: dict[str, str], boilerplate: list[int]) -> list[int]:
    """Fingerprints that more than COMMON_IN students (or a tenth of a large class) wrote: the usual way to write
    an answer, not a sign of copying (MOSS's rule for passages found in many submissions)."""
    counts: dict[int, int] = {}
    for code in answers.values():
        for fingerprint in set(_fingerprint(code, boilerplate).hashes):
            counts[fingerprint] = counts.get(fingerprint, 0) + 1
    limit = max(COMMON_IN, len(answers) // 10)
    return [fingerprint for fingerprint, count in counts.items() if count > limit]


def similar_pairs(answers: dict[str, str], release: nbformat.NotebookNode, threshold: float = THRESHOLD,
                  min_tokens: int = MIN_TOKENS) -> list[SimilarPair]:
    """Pairs of students whose own answer code (`answer_code`) is similar, most similar first (see the module docstring)."""
    answers = {student: code for student, code in answers.items() if code.strip()}
    boilerplate = handed_out(release)
    boilerplate += common_passages(answers, boilerplate)
    prints = {student: _fingerprint(code, boilerplate) for student, code in answers.items()}
    pairs = []
    for first, second in itertools.combinations(sorted(prints), 2):
        shared, shares, slices = compare_files(prints[first], prints[second])
        if shared < min_tokens or min(shares) < threshold:
            continue
        highlighted = tuple(compat.highlighted_overlap(prints[name].raw_code, cut)
                            for name, cut in ((first, slices[0]), (second, slices[1])))
        pairs.append(SimilarPair(first, second, (float(shares[0]), float(shares[1])), int(shared), highlighted))
    return sorted(pairs, key=lambda pair: -pair.share)
