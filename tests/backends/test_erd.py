"""Entity-relationship diagrams: cardinalities, and the real renderers accept every output.

The Mermaid output of every example, of awkward names and of generated specs goes through
Mermaid's own parser (tests/renderers.py), and the test compares what Mermaid understood --
entities, attributes, keys, relationships and their cardinalities -- with the model, so a
diagram that parses but means something else fails too. The DOT output goes through
`dot -Tsvg`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from schemac import api
from schemac.backends import erd, graphviz, mermaid
from schemac.backends.erd import End
from schemac.diagnostics import render as render_diagnostics
from schemac.ir import Entity, Schema
from schemac.resolve import resolve

from conftest import ROOT
from renderers import dot_svg, mermaid_parse, require_mermaid, svg_texts
from strategies import schemas

EXAMPLES = sorted((ROOT / "examples").glob("*.schema"))
_FROM_LOOKALIKE = str.maketrans({"\uff02": '"', "\uff05": "%", "\uff3c": "\\"})
_MERMAID_END = {"ONLY_ONE": End.ONE, "ZERO_OR_ONE": End.ZERO_OR_ONE, "ZERO_OR_MORE": End.ZERO_OR_MORE}


def load(text: str) -> Schema:
    result = api.load_text(text, "spec.schema")
    assert result.ok and result.schema is not None, render_diagnostics(result.diagnostics)
    return result.schema


# -- cardinalities, one row per kind of relationship ----------------------------------------------

PARENT = "entity parent { id: int @pk\n code: varchar(8) @unique }\n"
CASES = [
    # (case, spec of `child`, expected (parent end, child end, identifying) per relationship)
    ("required", "entity child { id: int @pk\n p: ref parent }",
     [("parent", End.ONE, End.ZERO_OR_MORE, False)]),
    ("optional", "entity child { id: int @pk\n p: ref parent? }",
     [("parent", End.ZERO_OR_ONE, End.ZERO_OR_MORE, False)]),
    ("one-to-one", "entity child { id: int @pk\n p: ref parent @unique }",
     [("parent", End.ONE, End.ZERO_OR_ONE, False)]),
    ("optional one-to-one", "entity child { id: int @pk\n p: ref parent? @unique }",
     [("parent", End.ZERO_OR_ONE, End.ZERO_OR_ONE, False)]),
    ("shared primary key", "entity child { p: ref parent @pk\n note: text }",
     [("parent", End.ONE, End.ZERO_OR_ONE, True)]),
    ("part of the primary key", "entity child { p: ref parent @pk\n n: int @pk }",
     [("parent", End.ONE, End.ZERO_OR_MORE, True)]),
    ("to a unique key", "entity child { id: int @pk\n p: ref parent(code) }",
     [("parent", End.ONE, End.ZERO_OR_MORE, False)]),
    ("unique index", "entity child { id: int @pk\n p: ref parent\n index (p) @unique }",
     [("parent", End.ONE, End.ZERO_OR_ONE, False)]),
    ("partial unique index", "entity child { id: int @pk\n p: ref parent\n live: bool\n"
     " index (p) @unique @where(live) }",
     [("parent", End.ONE, End.ZERO_OR_MORE, False)]),
    ("composite, one column nullable", "entity pair { a: int @pk\n b: int @pk }\n"
     "entity child { id: int @pk\n x: int\n y: int?\n foreign key (x, y) references pair (a, b) }",
     [("pair", End.ZERO_OR_ONE, End.ZERO_OR_MORE, False)]),
    ("self-reference", "entity child { id: int @pk\n up: ref child? }",
     [("child", End.ZERO_OR_ONE, End.ZERO_OR_MORE, False)]),
]


@pytest.mark.parametrize("case, spec, expected", CASES, ids=[c[0] for c in CASES])
def test_relationship_cardinalities(case: str, spec: str, expected: list) -> None:
    schema = load(PARENT + spec)
    child = schema.entity("child")
    assert child is not None
    got = [(r.parent, r.parent_end, r.child_end, r.identifying) for r in erd.relationships(child)]
    assert got == expected


def test_a_many_to_many_link_is_drawn_through_its_join_entity() -> None:
    schema = load("entity article { id: int @pk\n tags: many tag }\nentity tag { id: int @pk }\n")
    join = schema.entity("article_tags")
    assert join is not None and erd.join_sides(join) == ("article", "tag")
    got = [(r.parent, r.parent_end, r.child_end, r.identifying) for r in erd.relationships(join)]
    assert got == [("article", End.ONE, End.ZERO_OR_MORE, True), ("tag", End.ONE, End.ZERO_OR_MORE, True)]
    text = mermaid.render(schema)
    assert '  article ||--o{ article_tags : "article_id"' in text
    assert '  tag ||--o{ article_tags : "tag_id"' in text


def test_mermaid_reads_the_cardinalities_as_meant() -> None:
    """Each row of the table through Mermaid's parser: the ends it reads are the model's."""
    specs = [PARENT + spec for _, spec, _ in CASES]
    for (case, _, expected), result in zip(CASES, mermaid_parse([mermaid.render(load(s)) for s in specs]),
                                           strict=True):
        assert result["ok"], f"{case}: {result.get('error')}"
        got = [(r["a"], _MERMAID_END[r["cardB"]], _MERMAID_END[r["cardA"]], r["relType"] == "IDENTIFYING")
               for r in result["relationships"]]
        assert got == expected, case


def test_dot_draws_crows_feet_for_each_end() -> None:
    dot = graphviz.render(load(PARENT + "entity child { id: int @pk\n p: ref parent?\n q: ref parent @unique }"))
    assert '"parent":"r_id":e -> "child":"l_p_id":w [arrowtail=teeodot, arrowhead=crowodot, style=dashed' in dot
    assert '"parent":"r_id":e -> "child":"l_q_id":w [arrowtail=teetee, arrowhead=teeodot, style=dashed' in dot


# -- what Mermaid understood equals the model ---------------------------------------------------------


def expected_diagram(schema: Schema) -> tuple[dict[str, list[tuple[str, str, list[str], list[str]]]], Counter]:
    """The model as a reader of the diagram should see it, worked out here rather than by
    the renderer: per entity its columns (name, exact type, keys, tags) and the multiset of
    relationships (parent, child, label, parent end, child end, identifying)."""
    entities = {}
    rels: Counter = Counter()
    for e in schema.entities:
        pk = set(e.primary_key.columns) if e.primary_key else set()
        in_fk = {c for fk in e.foreign_keys for c in fk.columns}
        singles = {u.columns[0] for u in e.uniques if len(u.columns) == 1}
        singles |= {i.columns[0].column for i in e.indexes
                    if i.unique and i.where is None and len(i.columns) == 1 and i.columns[0].column}
        cols = []
        for f in e.fields:
            keys = (["PK"] if f.name in pk else []) + (["FK"] if f.name in in_fk else [])
            if f.name in singles and f.name not in pk:
                keys.append("UK")
            tags = [f"{t.kind.value}({t.category})" if t.category else t.kind.value for t in f.tags]
            cols.append((f.name, str(f.type), keys, tags))
        entities[e.name] = cols
        rels.update(_expected_relationships(e))
    return entities, rels


def _expected_relationships(e: Entity) -> list[tuple]:
    out = []
    nullable = {f.name for f in e.fields if f.nullable}
    pk = set(e.primary_key.columns) if e.primary_key else set()
    unique = [set(u.columns) for u in e.uniques] + ([pk] if pk else []) + [
        {c.column for c in i.columns} for i in e.indexes if i.unique and i.where is None
        and all(c.column for c in i.columns)]
    for fk in e.foreign_keys:
        cols = set(fk.columns)
        out.append((fk.target, e.name, ", ".join(fk.columns),
                    End.ZERO_OR_ONE if cols & nullable else End.ONE,
                    End.ZERO_OR_ONE if cols in unique else End.ZERO_OR_MORE,
                    bool(pk) and cols <= pk))
    return out


def understood(result: dict) -> tuple[dict[str, list[tuple[str, str, list[str], list[str]]]], Counter]:
    """What Mermaid's parser read, in the shape of `expected_diagram`, undoing schemac's
    documented spellings: aliases and full-width look-alikes for names Mermaid cannot
    take, `name: ...` and the exact type at the start of a comment."""
    display = {e["name"]: (e["alias"] or e["name"]).translate(_FROM_LOOKALIKE) for e in result["entities"]}
    entities = {}
    for e in result["entities"]:
        cols = []
        for a in e["attributes"]:
            notes = [n.translate(_FROM_LOOKALIKE) for n in a["comment"].split("; ")] if a["comment"] else []
            name, kind = a["name"], a["type"]
            named = [n for n in notes if n.startswith("name: ")]
            if named:
                name = named[0][len("name: "):]
                notes.remove(named[0])
            typed = [n for n in notes if n.startswith("type: ")]
            if typed:
                kind = typed[0][len("type: "):]
                notes.remove(typed[0])
            cols.append((name, kind, a["keys"], notes))
        entities[display[e["name"]]] = cols
    rels = Counter((display[r["a"]], display[r["b"]], r["role"].translate(_FROM_LOOKALIKE), _MERMAID_END[r["cardB"]],
                    _MERMAID_END[r["cardA"]], r["relType"] == "IDENTIFYING") for r in result["relationships"])
    return entities, rels


def assert_mermaid_means(schemas_: list[Schema], texts: list[str] | None = None) -> None:
    texts = texts or [mermaid.render(s) for s in schemas_]
    for schema, text, result in zip(schemas_, texts, mermaid_parse(texts), strict=True):
        assert result["ok"], f"Mermaid rejected the diagram: {result['error']}\n{text}"
        want_entities, want_rels = expected_diagram(schema)
        got_entities, got_rels = understood(result)
        assert got_entities == want_entities, text
        assert got_rels == want_rels, text


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_mermaid_accepts_each_example_and_reads_the_model(example: Path) -> None:
    assert_mermaid_means([api.load(example)])


AWKWARD = """
entity `end` "Mermaid keyword" { id: int @pk
  `pk`: text
  `order date`: date?
  `1st`: int
  `naïve`: varchar(10)
  amount: decimal(12, 2) @pii
}
entity `with "quotes" % and \\ backslash` { id: int @pk
  owner: ref `end`? @pii
  `a-b`: int
}
entity `one` { id: int @pk
  `with "quotes" % and \\ backslash`: ref `with "quotes" % and \\ backslash` @unique
}
entity `名前 テーブル` { id: int @pk
  `quo"te`: ref `one` @pk
}
enum `odd enum` { a, b }
entity `_e1` { id: int @pk
  state: `odd enum`
  to: ref `名前 テーブル`
}
"""


def test_mermaid_accepts_awkward_names_and_keeps_their_meaning() -> None:
    schema = load(AWKWARD)
    text = mermaid.render(schema)
    assert '_e2["with ＂quotes＂ ％ and ＼ backslash"]' in text  # `_e1` is a real entity's name
    assert 'decimal amount "type: decimal(12, 2); pii"' in text
    assert_mermaid_means([schema], [text])


def test_dot_accepts_awkward_names() -> None:
    schema = load(AWKWARD)
    svg_shows(dot_svg(graphviz.render(schema)), *(e.name for e in schema.entities))


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], max_examples=30)
@given(schemas())
def test_mermaid_accepts_generated_specs(declared: Schema) -> None:
    require_mermaid()
    schema, problems = resolve(declared)
    assert not [d for d in problems if d.is_error]
    assert_mermaid_means([schema])


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], max_examples=30)
@given(schemas())
def test_dot_accepts_generated_specs(declared: Schema) -> None:
    schema, _ = resolve(declared)
    svg = dot_svg(graphviz.render(schema))
    svg_shows(svg, *(e.name for e in schema.entities), *(f.name for e in schema.entities for f in e.fields))
    assert svg.count('class="edge"') == sum(len(e.foreign_keys) for e in schema.entities)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_dot_lays_out_each_example(example: Path) -> None:
    schema = api.load(example)
    svg = dot_svg(graphviz.render(schema))
    assert svg.count('class="node"') == len(schema.entities)
    assert svg.count('class="edge"') == sum(len(e.foreign_keys) for e in schema.entities)
    assert svg.count('class="cluster"') == len({e.module for e in schema.entities if e.module})
    svg_shows(svg, *(e.name for e in schema.entities), *(f.name for e in schema.entities for f in e.fields))


def svg_shows(svg: str, *texts: str) -> None:
    shown = svg_texts(svg)
    missing = [t for t in texts if t not in shown]
    assert not missing, f"not in the picture: {missing}"


# -- parts of a schema ----------------------------------------------------------------------------


def test_only_draws_the_entities_and_their_direct_neighbours() -> None:
    schema = api.load(ROOT / "examples" / "shop.schema")
    selection = erd.select(schema, only=["order"])
    near = {"order", "tenant", "customer", "cart", "order_item", "payment", "shipment"}
    assert {e.name for e in selection.entities} == near
    text = mermaid.render(schema, selection)
    result = mermaid_parse([text])[0]
    assert result["ok"], result.get("error")
    assert {e["name"] for e in result["entities"]} == near
    # every relationship drawn touches `order`; tenant -> customer, say, is not drawn
    assert {r["a"] for r in result["relationships"]} | {r["b"] for r in result["relationships"]} <= near
    assert all("order" in (r["a"], r["b"]) for r in result["relationships"])
    dot = graphviz.render(schema, selection)
    assert f'bgcolor="{graphviz.NEIGHBOUR_COLOR}"' in dot and dot.count('"order" [label') == 1


def test_module_draws_its_entities_and_their_neighbours() -> None:
    schema = api.load(ROOT / "examples" / "shop.schema")
    selection = erd.select(schema, modules=["payments"])
    assert selection.focus == {"payment", "refund"}
    assert {e.name for e in selection.entities} == {"payment", "refund", "tenant", "order"}


def test_unknown_names_are_refused_with_a_suggestion() -> None:
    schema = api.load(ROOT / "examples" / "shop.schema")
    with pytest.raises(erd.SelectionError, match="no entity named 'ordr'; did you mean 'order'"):
        erd.select(schema, only=["ordr"])
    with pytest.raises(erd.SelectionError, match="no module named 'payment'; did you mean 'payments'"):
        erd.select(schema, modules=["payment"])


def test_no_columns_draws_an_overview() -> None:
    schema = api.load(ROOT / "examples" / "university.schema")
    text = mermaid.render(schema, columns=False)
    assert "{" not in text.replace("o{", "")
    result = mermaid_parse([text])[0]
    assert result["ok"], result.get("error")
    assert {e["name"] for e in result["entities"]} == {e.name for e in schema.entities}
    assert all(not e["attributes"] for e in result["entities"])
    dot = graphviz.render(schema, columns=False)
    assert "port=" not in dot
    svg = dot_svg(dot)
    assert svg.count('class="edge"') == sum(len(e.foreign_keys) for e in schema.entities)


def test_sensitive_columns_are_marked_in_dot() -> None:
    schema = load("entity person { id: int @pk\n email: text @pii(contact)\n slug: text @public }")
    dot = graphviz.render(schema)
    email = next(line for line in dot.split("<tr>") if ">email<" in line)
    slug = next(line for line in dot.split("<tr>") if ">slug<" in line)
    assert graphviz.SENSITIVE_FILL in email and "pii(contact)" in email
    assert graphviz.SENSITIVE_FILL not in slug and "public" in slug
