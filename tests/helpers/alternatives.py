"""Correct implementations other than the instructor's: each must earn full marks, hidden tests included.

An alternative edits one solution cell the way a mutant does (helpers/edits.py), but the result
is right: another library function, another formula for the same value, an explicit loop. A check
that fails one of them fails correct code. Each lab's are in tests/helpers/lab_cases/<lab>.py.
"""
from __future__ import annotations

from tests.helpers.edits import Alternative
from tests.helpers.lab_cases import lab_modules

ALTERNATIVES: dict[str, list[Alternative]] = {lab: module.ALTERNATIVES for lab, module in lab_modules().items()}
