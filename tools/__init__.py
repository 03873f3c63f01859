"""Instructor and CI tooling: releasing labs and keeping notebooks clean."""
