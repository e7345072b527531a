"""The dialects schemac writes DDL for, by their `--dialect` names."""

DIALECTS = ("postgresql", "mysql", "sqlite")
