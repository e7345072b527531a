// Parses Mermaid diagrams with Mermaid's own parser and prints what Mermaid understood.
// Input on stdin: a JSON array of diagram texts. Output on stdout: a JSON array with, for
// each text, {"ok": true, "entities": [...], "relationships": [...]} or {"ok": false, "error": "..."}.
// Used by tests/backends/test_erd.py; install with `npm ci --prefix tests/mermaid`.
import mermaid from 'mermaid';

mermaid.initialize({ startOnLoad: false, maxTextSize: 10_000_000, maxEdges: 100_000 });

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const results = [];
for (const text of texts) {
  try {
    await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const byId = new Map();
    const entities = [];
    for (const [name, e] of diagram.db.getEntities()) {
      byId.set(e.id, name);
      entities.push({ name, alias: e.alias, attributes: e.attributes });
    }
    const relationships = diagram.db.getRelationships().map((r) => ({
      a: byId.get(r.entityA), b: byId.get(r.entityB), role: r.roleA,
      cardA: r.relSpec.cardA, cardB: r.relSpec.cardB, relType: r.relSpec.relType,
    }));
    results.push({ ok: true, type: diagram.type, entities, relationships });
  } catch (error) {
    results.push({ ok: false, error: String(error && error.message || error) });
  }
}
process.stdout.write(JSON.stringify(results));
