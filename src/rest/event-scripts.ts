// REST calls → event scripts (src/scripts/operation.ts): the event of `_table/Album[/5]` is
// `{service}._table.Album.{verb}` (the table's own name, the id in `event.id`); other resources name their
// path (`{service}._proc.refresh.post`). A pre_process script's changed parameters and payload become the
// request the handler reads; writes with rollback=true run with their scripts in one transaction.
import { aroundOperation, hasScripts, type ScriptScope } from '../scripts/operation.js';
import type { EventVerb } from '../scripts/types.js';
import { Params } from './params.js';
import { publicHeaders, publicParameters, SECRET_PARAMETERS } from './scripted.js';
import type { RestContext, RestResponse } from './types.js';

export async function aroundRestOperation(
  scope: ScriptScope | undefined,
  ctx: RestContext,
  query: URLSearchParams,
  tableRequest: boolean,
  handle: (ctx: RestContext) => Promise<RestResponse>,
): Promise<RestResponse> {
  const { service, path, verb } = ctx.request;
  const entry = tableRequest ? ctx.index.findTable(service.name, path[1] ?? '') : undefined;
  const resource = entry ? ['_table', entry.table.name] : path;
  const op = { service: service.name, resource, verb: verb.toLowerCase() as EventVerb };
  if (!scope || !hasScripts(scope, op)) return handle(ctx);
  const rollback = ctx.request.params.bool('rollback');
  let headers: Record<string, string> | undefined;
  const result = await aroundOperation(
    scope,
    {
      ...op,
      api: 'rest',
      table: entry?.table.name ?? null,
      id: entry ? (path[2] ?? null) : null,
      request: {
        method: verb,
        parameters: publicParameters(query),
        payload: ctx.request.body ?? null,
        headers: publicHeaders(ctx.request.headers),
      },
    },
    ctx.exec,
    { transactional: tableRequest && verb !== 'GET' && rollback },
    async (request, exec) => {
      const parameters = new URLSearchParams(
        Object.entries(request.parameters).flatMap(([key, value]) =>
          value === undefined || value === null ? [] : [[key, String(value)]],
        ),
      );
      // The credentials a script never saw still count: keep them in the rebuilt query.
      for (const key of SECRET_PARAMETERS) if (query.has(key)) parameters.set(key, query.get(key) ?? '');
      const response = await handle({
        ...ctx,
        exec,
        request: {
          ...ctx.request,
          params: new Params(parameters, objectOf(request.payload), tableRequest),
          body: request.payload ?? undefined,
        },
      });
      headers = response.headers;
      return { status: response.status, content: response.body };
    },
  );
  return { status: result.status, body: result.content, ...(headers && { headers }) };
}

export function objectOf(body: unknown): Record<string, unknown> | null {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}
