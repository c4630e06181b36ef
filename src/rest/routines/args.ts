// A routine call's request → the routine's name and the values of its IN/INOUT parameters (compat §11.2).
// The first non-empty source wins: body `params` (array = positional, object = named, legacy
// `[{"name":…,"value":…}]`, or comma text), inline `name(v1, v2)` (split on commas, trimmed, quotes kept),
// URL query parameters by name. Positional values count OUT parameters too; names match case-insensitively;
// unknown names are ignored; values given for OUT parameters are ignored; missing ones are left out (the
// database's default). Every value is cast to its parameter's type (values.ts) before anything is bound.
import { ApiError } from '../../errors/index.js';
import { paramKey } from '../../model/routines.js';
import type { RoutineModel } from '../../model/types.js';
import { castArgument, type ArgumentOrigin } from './values.js';

export interface CallPath {
  /** The routine's name as requested (before any `(`), trimmed. */
  name: string;
  /** The text inside `(...)`; null when there are no parentheses. */
  inline: string | null;
}

/**
 * `GetInvoices(12, 'x')` → name `GetInvoices`, inline `12, 'x'`. As DreamFactory does: everything from the
 * first `(` is the inline part, with every leading and trailing parenthesis trimmed from it.
 */
export function parseCallPath(resource: string): CallPath {
  const open = resource.indexOf('(');
  if (open < 0) return { name: resource.trim(), inline: null };
  return { name: resource.slice(0, open).trim(), inline: resource.slice(open).replace(/^[()]+|[()]+$/g, '') };
}

/** Inline or comma text → positional values: split on `,`, each trimmed; quotes are kept, nothing is escaped. */
export function splitValues(text: string): string[] {
  return text.trim() === '' ? [] : text.split(',').map((part) => part.trim());
}

/** One value a client gave: by position (0-based, OUT parameters counted) or by name. */
export type GivenValue =
  | { position: number; value: unknown; origin: ArgumentOrigin }
  | { name: string; value: unknown; origin: ArgumentOrigin };

export interface ArgumentSources {
  /** The body's `params`, undefined when the body has none. */
  body: unknown;
  /** The inline text, null without parentheses. */
  inline: string | null;
  /** URL query parameters (reserved options already removed). */
  query: [string, string][];
}

/** The values of the first non-empty source, in DreamFactory's order. */
export function givenValues(sources: ArgumentSources): GivenValue[] {
  const fromBody = bodyValues(sources.body);
  if (fromBody.length > 0) return fromBody;
  if (sources.inline !== null) {
    const inline = splitValues(sources.inline);
    if (inline.length > 0)
      return inline.map((value, position) => ({ position, value, origin: 'text' as const }));
  }
  return sources.query.map(([name, value]) => ({ name, value, origin: 'text' as const }));
}

function bodyValues(params: unknown): GivenValue[] {
  if (params === undefined || params === null) return [];
  if (typeof params === 'string')
    return splitValues(params).map((value, position) => ({ position, value, origin: 'text' as const }));
  if (Array.isArray(params)) {
    return params.map((item, position): GivenValue => {
      const named = isPlainObject(item) ? keyOf(item, 'name') : undefined;
      if (named !== undefined && typeof item[named] === 'string') {
        const valueKey = keyOf(item as Record<string, unknown>, 'value');
        return { name: item[named], value: valueKey === undefined ? null : item[valueKey], origin: 'json' };
      }
      return { position, value: item, origin: 'json' };
    });
  }
  if (isPlainObject(params))
    return Object.entries(params).map(([name, value]) => ({ name, value, origin: 'json' as const }));
  // A bare number or boolean: one positional value.
  return [{ position: 0, value: params, origin: 'json' }];
}

/** The body key equal to `name` ignoring case (DreamFactory lower-cases legacy parameter objects). */
function keyOf(item: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(item).find((key) => key.toLowerCase() === name);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * Given values → the cast IN/INOUT arguments, keyed by parameter name. Too many positional values is a 400
 * (DreamFactory silently dropped the extra ones); unknown names are ignored, as in DreamFactory.
 */
export function routineArguments(
  routine: RoutineModel,
  given: GivenValue[],
  substitute: (text: string) => string = (text) => text,
): Record<string, unknown> {
  const params = [...routine.params].sort((a, b) => a.position - b.position);
  const args: Record<string, unknown> = {};
  const positional = given.filter((g) => 'position' in g);
  const most = positional.reduce((max, g) => Math.max(max, g.position + 1), 0);
  if (most > params.length) {
    const what = routine.kind === 'procedure' ? 'Procedure' : 'Function';
    const takes = params.length === 1 ? '1 parameter' : `${params.length} parameters`;
    throw new ApiError(
      'BAD_REQUEST',
      `${what} '${routine.name}' takes ${takes}; ${most} ${most === 1 ? 'value was' : 'values were'} given.`,
    );
  }
  for (const g of given) {
    const param =
      'position' in g
        ? params[g.position]
        : params.find((p) => p.name !== '' && p.name.toLowerCase() === g.name.toLowerCase());
    if (!param || param.mode === 'OUT') continue;
    let value = g.value;
    // DreamFactory's named form may carry `{"value": …}` objects (not for JSON parameters, whose value it is).
    if ('name' in g && isPlainObject(value) && param.type !== 'json' && param.type !== 'array') {
      const key = keyOf(value, 'value');
      value = key === undefined ? value : value[key];
    }
    if (typeof value === 'string') value = substitute(value);
    args[paramKey(param)] = castArgument(param, value, g.origin);
  }
  return args;
}
