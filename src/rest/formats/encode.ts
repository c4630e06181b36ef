// RestResponse + negotiated format (+ the `file` parameter) → fetch-API Response: JSON, XML
// (`<dfapi>…</dfapi>`, list items repeated as `<resource>`) or CSV (header row from the first record's keys),
// with DreamFactory's download header (compat §3 `file`, §12). Errors are always sent, as JSON if need be.
import { stringify } from 'csv-stringify/sync';
import { XMLBuilder } from 'fast-xml-parser';
import { isTrueWord } from '../params.js';
import type { RestResponse } from '../types.js';
import { mediaTypeOf, type ResponseFormat } from './negotiate.js';

const UNCONVERTIBLE = 'Content in response can not be resolved to acceptable content type.';

const FILE_FORMATS: Record<string, ResponseFormat> = { json: 'json', xml: 'xml', csv: 'csv' };

/**
 * `fileParam` (`albums.csv`, `true`) turns a success into a download; its extension picks the format.
 * `defaultFileName` (e.g. `_table/Album`) names the file for `file=true`.
 */
export function encodeRestResponse(
  res: RestResponse,
  format: ResponseFormat | null,
  fileParam?: string | null,
  defaultFileName = 'download',
): Response {
  const isError = res.status >= 400;
  let chosen = format;
  let attachment: string | null = null;
  if (!isError && fileParam && fileParam.trim() !== '' && !isFalseWord(fileParam)) {
    const named = isTrueWord(fileParam) ? null : fileParam.trim();
    const extension = named?.split('.').pop()?.toLowerCase() ?? '';
    chosen = Object.hasOwn(FILE_FORMATS, extension)
      ? (FILE_FORMATS[extension] as ResponseFormat)
      : (chosen ?? 'json');
    attachment = named ?? `${defaultFileName}.${chosen}`;
  }
  if (chosen === null) {
    if (!isError) return send(400, errorBody(400, UNCONVERTIBLE), 'json', {});
    chosen = 'json';
  }
  const headers: Record<string, string> = { ...res.headers };
  if (attachment !== null)
    headers['content-disposition'] = `attachment; filename="${headerSafe(attachment)}";`;
  return send(res.status, res.body, chosen, headers);
}

function send(
  status: number,
  body: unknown,
  format: ResponseFormat,
  headers: Record<string, string>,
): Response {
  const text =
    body === undefined
      ? null
      : format === 'xml'
        ? toXml(body)
        : format === 'csv'
          ? toCsv(body, status >= 400)
          : toJson(body);
  const noBody = status === 204 || status === 304;
  return new Response(noBody ? null : text, {
    status,
    headers: { ...headers, 'content-type': mediaTypeOf(format) },
  });
}

function errorBody(status: number, message: string) {
  return { error: { code: status, context: null, message, status_code: status } };
}

function toJson(body: unknown): string {
  return JSON.stringify(body, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

// ---- XML ----------------------------------------------------------------------------------------------

const builder = new XMLBuilder({ format: false, suppressEmptyNode: false });

function toXml(body: unknown): string {
  const content = Array.isArray(body) ? { resource: body } : body;
  return `<?xml version="1.0" ?>${builder.build({ dfapi: xmlValue(content) }) as string}`;
}

/** Plain data with keys made valid XML names; arrays of arrays nest as `<item>`; binary as base64. */
function xmlValue(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) {
    return value.map((item) => (Array.isArray(item) ? { item: xmlValue(item) } : xmlValue(item)));
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, xmlName(key), { value: xmlValue(item), enumerable: true, writable: true });
    }
    return out;
  }
  return value;
}

/** Column names may hold characters XML names cannot (spaces, `@`, `#`): those become `_`. */
function xmlName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

// ---- CSV ----------------------------------------------------------------------------------------------

function toCsv(body: unknown, isError: boolean): string {
  const rows = csvRows(body, isError);
  if (rows === null) return body === null ? '' : typeof body === 'object' ? toJson(body) : String(body);
  if (rows.length === 0) return '';
  const first = rows[0];
  if (!isRecord(first)) return stringify(rows.map((row) => [csvCell(row)]));
  const header = Object.keys(first);
  const lines = rows.map((row) => header.map((key) => csvCell(isRecord(row) ? row[key] : undefined)));
  return stringify([header, ...lines]);
}

/** The records a body holds: an error, a `resource` list, a bare list or one record; null for scalars. */
function csvRows(body: unknown, isError: boolean): unknown[] | null {
  if (Array.isArray(body)) return body;
  if (!isRecord(body)) return null;
  if (isError && isRecord(body.error)) return [body.error];
  if (Array.isArray(body.resource)) return body.resource;
  return [body];
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return toJson(value);
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFalseWord(value: string): boolean {
  return ['false', '0', 'no', 'off', 'n', 'f'].includes(value.trim().toLowerCase());
}

/** Quotes and characters a header cannot carry (CR/LF, non-Latin-1) are replaced. */
function headerSafe(name: string): string {
  return name.replace(/["\\\r\n]|[^\x20-\xff]/g, '_');
}
