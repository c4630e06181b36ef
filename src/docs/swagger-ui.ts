// Swagger UI for the REST API at `/api/v2/api_docs`, from the npm package swagger-ui-dist served locally
// (`/_docs/swagger-ui/…`, no CDN). A service picker lists every configured service (its OpenAPI document
// at `/api/v2/api_docs/{service}`, narrowed to the caller's role); the API key typed into the page is kept in
// the browser's localStorage and sent with the document requests and with "Try it out".
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
  var primary = new URLSearchParams(location.search).get('urls.primaryName') || (config.urls[0] || {}).name;
  var ui = SwaggerUIBundle({
    urls: config.urls,
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
})();
`;

/** The Swagger UI page; `services` are the configured service names (the picker). */
export function swaggerPage(services: string[]): string {
  const config = JSON.stringify({
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
<form id="junction-key"><a href="/">Junction</a><label>API key <input type="password" autocomplete="off" placeholder="X-DreamFactory-Api-Key"></label><button type="submit">Use key</button><span>${escapeHtml(
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
