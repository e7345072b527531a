"""The documentation cannot drift: its examples are parsed and its codes are checked."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from schemac.api import compile_loaded, load_text
from schemac.cli import cli
from schemac.diagnostics import CODES, render
from schemac.dsl.parser import parse_text
from schemac.ir import DIALECTS

from conftest import ROOT

LANGUAGE = (ROOT / "docs" / "language.md").read_text()
DIAGNOSTICS = (ROOT / "docs" / "diagnostics.md").read_text()
BLOCK = re.compile(r"```([^\n]*)\n(.*?)```", re.S)


def blocks(text: str, info: str) -> list[str]:
    return [body for kind, body in BLOCK.findall(text) if kind.split(" ")[0] == info]


def all_diagnostics(source: str) -> list:
    result = load_text(source, "example.schema")
    found = list(result.diagnostics)
    if result.ok:
        for dialect in DIALECTS:
            found += compile_loaded(result, dialect).diagnostics
    return found


@pytest.mark.parametrize("source", blocks(LANGUAGE, "schema"))
def test_language_examples_resolve(source):
    result = load_text(source, "example.schema")
    assert result.ok, render(result.diagnostics)


@pytest.mark.parametrize("source", blocks(LANGUAGE, ""))
def test_other_language_snippets_parse(source):
    assert parse_text(source).schema is not None


def test_every_code_is_documented():
    documented = set(re.findall(r"^### ([SRNILMB]\d{3}) ", DIAGNOSTICS, re.M))
    assert documented == set(CODES)


@pytest.mark.parametrize(("expected", "source"), [
    (m.group(1), m.group(2)) for m in re.finditer(r"```schema (?:error|warning)=(\w+)\n(.*?)```", DIAGNOSTICS, re.S)
])
def test_diagnostic_examples_trigger_their_code(expected, source):
    found = all_diagnostics(source)
    assert expected in {d.code for d in found}, render(found)


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    runner = CliRunner()
    for name, command in cli.commands.items():
        assert command.help and len(command.help) > 20, name
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
        assert f"schemac {name}" in readme, f"the README does not show 'schemac {name}'"


def test_readme_example_is_what_schemac_prints():
    readme = (ROOT / "README.md").read_text()
    (spec,) = blocks(readme, "schema")
    (sql,) = blocks(readme, "sql")
    result = compile_loaded(load_text(spec, "shop.schema"), "postgresql")
    assert result.sql is not None
    assert result.sql == sql
