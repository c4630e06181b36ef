// The landing page at `/`: what this server offers, in plain HTML with inline CSS and no external assets —
// the services, their tables and relations (cross-database ones marked), the scripted services, links to
// GraphiQL, Swagger UI and the health endpoints. Shows the caller's view: everything on an open server, the role's view with an API key,
// and only the service names to anonymous callers of a server with access control.
import type { DataModel, RelationModel, ServiceModel } from '../model/types.js';

/** A scripted service the caller may call (config.scripts.services). */
export interface ScriptedEntry {
  name: string;
  label: string | null;
  description: string | null;
}

export interface LandingInput {
  /** The caller's view of the model; null: anonymous on a server with access control. */
  model: DataModel | null;
  /** The scripted services the caller may call (ignored for anonymous callers); absent: none. */
  scripted?: ScriptedEntry[];
  /** Configured services with their reachability (probed for this page). */
  health: { service: string; type: string; ok: boolean }[];
  version: number | string;
  loadedAt: Date;
  /** `open`, `role <name>`, or `anonymous`. */
  caller: string;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:1.2rem 2rem}header h1{margin:0;font-size:1.5rem}
header p{margin:.3rem 0 0;color:#c9d1e0}main{padding:1rem 2rem 3rem;max-width:70rem}
a{color:#1f5fbf}nav a{display:inline-block;margin:.3rem 1rem .3rem 0;padding:.45rem .9rem;background:#fff;
border:1px solid #cfd6e2;border-radius:6px;text-decoration:none;font-weight:600}
section{background:#fff;border:1px solid #dde3ec;border-radius:8px;padding:.6rem 1.2rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eef1f5;
vertical-align:top}th{font-size:.8rem;text-transform:uppercase;color:#5b6475}code{font-size:.9em}
.ok{color:#17803d}.down{color:#b42318}.tag{font-size:.75rem;padding:.05rem .4rem;border-radius:4px;
background:#eef1f5;margin-left:.3rem}.cross{background:#fff1d6;color:#8a5300}.muted{color:#5b6475}
`;

export function landingPage(input: LandingInput): string {
  const e = escapeHtml;
  const healthRows = input.health
    .map(
      (h) =>
        `<tr><td><code>${e(h.service)}</code></td><td>${e(h.type)}</td><td class="${h.ok ? 'ok' : 'down'}">${
          h.ok ? 'reachable' : 'unreachable'
        }</td></tr>`,
    )
    .join('');
  const scripted = input.model ? (input.scripted ?? []) : [];
  const services = input.model
    ? input.model.services.map((s) => serviceSection(s)).join('') + scriptedSection(scripted) ||
      '<p class="muted">Your role can use no service.</p>'
    : '<p class="muted">Access control is on: open this page with your API key (<code>/?api_key=…</code>) ' +
      'to see the tables your role can use, or authorize in Swagger UI.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Junction</title><style>${CSS}</style></head>
<body><header><h1>Junction</h1><p>One API over several databases: GraphQL and a DreamFactory-compatible REST API.</p></header>
<main>
<nav><a href="/graphql">GraphiQL (GraphQL)</a><a href="/api/v2/api_docs">Swagger UI (REST API docs)</a><a href="/health">/health</a><a href="/ready">/ready</a></nav>
<p class="muted">Model version <code>${e(String(input.version))}</code>, loaded ${e(input.loadedAt.toISOString())}; you see it as: ${e(input.caller)}.</p>
<section><h2>Health</h2><table><tr><th>Service</th><th>Database</th><th>Status</th></tr>${healthRows}</table></section>
<h2>Services</h2>
${services}
<section><h2>Quick start</h2>
<p>REST: <code>GET /api/v2/{service}/_table/{table}?limit=5</code> with header <code>X-DreamFactory-Api-Key</code>.
OpenAPI documents: <code>/api/v2/{service}/_spec</code>. GraphQL: <code>POST /graphql</code> with the same credentials.</p></section>
</main></body></html>
`;
}

function serviceSection(service: ServiceModel): string {
  const e = escapeHtml;
  const svc = encodeURIComponent(service.name);
  const rows = service.tables
    .map((table) => {
      const relations = table.relations
        .filter((r) => r.name !== null)
        .map(relationItem)
        .join('<br>');
      return `<tr><td><a href="/api/v2/${svc}/_table/${encodeURIComponent(table.name)}?limit=5"><code>${e(
        table.name,
      )}</code></a>${table.isView ? '<span class="tag">view</span>' : ''}</td><td>${table.fields.length}</td><td>${
        relations || '<span class="muted">—</span>'
      }</td></tr>`;
    })
    .join('');
  const routines =
    service.routines.length > 0
      ? `<p>Routines: ${service.routines
          .map((r) => `<code>${r.kind === 'procedure' ? '_proc' : '_func'}/${e(r.name)}</code>`)
          .join(', ')}</p>`
      : '';
  return `<section><h3><code>${e(service.name)}</code> <span class="tag">${e(service.type)}</span> ${e(
    service.label,
  )}</h3>
<p><a href="/api/v2/api_docs/?urls.primaryName=${svc}">REST docs</a> · <a href="/api/v2/${svc}/_spec">OpenAPI document</a> · GraphQL namespace <code>${e(
    service.graphqlName,
  )}</code></p>
<table><tr><th>Table</th><th>Fields</th><th>Relations</th></tr>${rows}</table>${routines}</section>
`;
}

function scriptedSection(scripted: ScriptedEntry[]): string {
  if (scripted.length === 0) return '';
  const e = escapeHtml;
  const rows = scripted
    .map(({ name, label, description }) => {
      const svc = encodeURIComponent(name);
      return `<tr><td><code>${e(name)}</code></td><td>${e(label ?? '')}${
        description ? ` <span class="muted">${e(description)}</span>` : ''
      }</td><td><code>/api/v2/${e(svc)}</code> · <a href="/api/v2/api_docs/?urls.primaryName=${svc}">REST docs</a> · <a href="/api/v2/api_docs/${svc}">OpenAPI document</a></td></tr>`;
    })
    .join('');
  return `<section><h3>Scripted services <span class="tag">script</span></h3>
<table><tr><th>Service</th><th>About</th><th>Endpoint</th></tr>${rows}</table></section>
`;
}

function relationItem(relation: RelationModel): string {
  const e = escapeHtml;
  const target = `${relation.refService}.${relation.refTable}`;
  return `<code>${e(relation.name ?? '')}</code> <span class="muted">${e(relation.type)} → ${e(target)}</span>${
    relation.crossService ? '<span class="tag cross">cross-database</span>' : ''
  }${relation.kind === 'virtual' ? '<span class="tag">virtual</span>' : ''}`;
}
