"""Prescriptions: declarative pipeline units written in YAML, validated, and compiled into unit classes."""
