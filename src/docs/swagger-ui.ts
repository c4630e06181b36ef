// Swagger UI for the REST API at `/api/v2/api_docs`, from the npm package swagger-ui-dist served locally
// (`/_docs/swagger-ui/…`, no CDN). A service picker lists the services the caller's role can read documents
// for (its OpenAPI document at `/api/v2/api_docs/{service}`, narrowed to that role): the page's own
// credentials decide the first list, the key typed into the page (kept in the browser's localStorage, sent
// with the document requests and with "Try it out") fetches the role-filtered `GET /api/v2/api_docs`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { escapeHtml } from './landing.js';

export const SWAGGER_ASSETS = '/_docs/swagger-ui/';

const ASSET_TYPES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

let distDir: string | undefined;
function swaggerDist(): string {
  distDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return distDir;
}

const INIT_SCRIPT = `// Junction: Swagger UI with a service picker and the API key kept in localStorage.
(function () {
  var KEY = 'junction.apiKey';
  var config = JSON.parse(document.getElementById('junction-config').textContent);
  var form = document.getElementById('junction-key');
  var input = form.querySelector('input');
  input.value = localStorage.getItem(KEY) || '';
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (input.value.trim()) localStorage.setItem(KEY, input.value.trim());
    else localStorage.removeItem(KEY);
    location.reload();
  });
  var key = localStorage.getItem(KEY) || '';
  // The picker lists the documents the key's role can read: GET /api/v2/api_docs (JSON) is role-filtered.
  function start(urls) {
    var primary = new URLSearchParams(location.search).get('urls.primaryName') || (urls[0] || {}).name;
    var ui = SwaggerUIBundle({
      urls: urls,
      'urls.primaryName': primary,
      dom_id: '#swagger-ui',
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      plugins: [SwaggerUIBundle.plugins.DownloadUrl],
      layout: 'StandaloneLayout',
      validatorUrl: null,
      persistAuthorization: true,
      requestInterceptor: function (request) {
        var has = Object.keys(request.headers || {}).some(function (h) {
          return h.toLowerCase() === 'x-dreamfactory-api-key';
        });
        if (key && !has) {
          request.headers = request.headers || {};
          request.headers['X-DreamFactory-Api-Key'] = key;
        }
        return request;
      },
      onComplete: function () {
        if (key) ui.preauthorizeApiKey('api_key_header', key);
      },
    });
    window.ui = ui;
    var count = document.getElementById('junction-count');
    if (count) count.textContent = urls.length + (urls.length === 1 ? ' service' : ' services');
  }
  if (!key) return start(config.urls);
  fetch(config.list, { headers: { accept: 'application/json', 'X-DreamFactory-Api-Key': key } })
    .then(function (response) {
      return response.ok ? response.json() : { resource: [] };
    })
    .then(function (body) {
      start((body.resource || []).map(function (s) {
        return { name: s.name, url: s.url };
      }));
    })
    .catch(function () {
      start(config.urls);
    });
})();
`;

/**
 * The Swagger UI page. `services` are the services the request's own credentials can see documents for (all
 * on an open server, none for an anonymous caller of a secured one); with a key typed into the page, the
 * script replaces them with the role-filtered `GET /api/v2/api_docs` list.
 */
export function swaggerPage(services: string[]): string {
  const config = JSON.stringify({
    list: '/api/v2/api_docs',
    urls: services.map((name) => ({ name, url: `/api/v2/api_docs/${encodeURIComponent(name)}` })),
  }).replace(/</g, '\\u003c');
  const a = SWAGGER_ASSETS;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Junction REST API docs</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="stylesheet" href="${a}swagger-ui.css"><link rel="icon" type="image/png" href="${a}favicon-32x32.png">
<style>body{margin:0}#junction-key{font:14px system-ui,sans-serif;padding:.6rem 1rem;background:#1d2330;color:#fff;
display:flex;gap:.5rem;align-items:center}#junction-key input{width:22rem;padding:.3rem}#junction-key a{color:#c9d1e0}</style>
</head><body>
<form id="junction-key"><a href="/">Junction</a><label>API key <input type="password" autocomplete="off" placeholder="X-DreamFactory-Api-Key"></label><button type="submit">Use key</button><span id="junction-count">${escapeHtml(
    `${services.length} service${services.length === 1 ? '' : 's'}`,
  )}</span></form>
<div id="swagger-ui"></div>
<script type="application/json" id="junction-config">${config}</script>
<script src="${a}swagger-ui-bundle.js"></script><script src="${a}swagger-ui-standalone-preset.js"></script>
<script src="${a}junction-init.js"></script>
</body></html>
`;
}

/** A Swagger UI asset, or null when `name` is not one. */
export function swaggerAsset(name: string): { body: Blob | string; type: string } | null {
  if (name === 'junction-init.js') return { body: INIT_SCRIPT, type: 'text/javascript; charset=utf-8' };
  const type = ASSET_TYPES[name];
  if (!type) return null;
  return { body: new Blob([readFileSync(join(swaggerDist(), name))], { type }), type };
}
