"""The course's tests; shared helpers live in tests.helpers."""
