// Request (body stream + Content-Type) → the parsed payload: JSON, form fields, CSV rows as
// `{"resource":[…]}` or XML with its root element stripped (compat §2.2); undefined when there is none. The
// stream is read up to a byte limit (413 past it). XML never expands entities and refuses DTDs (no XXE).
import { parse as parseCsvText } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ApiError } from '../../errors/index.js';

const WRAPPER = 'resource';

export async function parseRestBody(request: Request, maxBytes: number): Promise<unknown> {
  const bytes = await readLimited(request, maxBytes);
  if (bytes.length === 0) return undefined;
  const text = new TextDecoder('utf-8').decode(bytes); // drops a leading BOM
  if (text.trim() === '') return undefined;
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === '' || type.includes('json')) {
    if (type !== '' || looksLikeJson(text)) return parseJson(text);
  } else if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) {
    return parseXml(text);
  } else if (type === 'text/csv' || type === 'application/csv') {
    return parseCsv(text);
  } else if (type === 'application/x-www-form-urlencoded') {
    // `curl -d '{…}'` sends JSON with this type; a body that parses as JSON is taken as JSON.
    return looksLikeJson(text) ? (tryJson(text) ?? parseForm(text)) : parseForm(text);
  } else if (type === 'text/plain' && looksLikeJson(text)) {
    return parseJson(text);
  }
  throw new ApiError('BAD_REQUEST', 'Unrecognized payload type');
}

/** Reads the stream chunk by chunk and stops (cancelling it) as soon as the limit is passed. */
async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  // The body is left unread, not cancelled: cancelling destroys the socket, and the client would see a
  // connection reset instead of the 413 (Node discards an unread body after the response).
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `Request body is too large: the limit is ${maxBytes} bytes.`);
}

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError('BAD_REQUEST', `Invalid JSON in request body: ${shorten(reason)}`);
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** PHP's rules: a repeated key keeps the last value; `name[]` collects an array. */
function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const isList = rawKey.endsWith('[]');
    const key = isList ? rawKey.slice(0, -2) : rawKey;
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    const next = isList ? [...(Array.isArray(current) ? current : []), value] : value;
    Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function parseCsv(text: string): { resource: Record<string, string>[] } {
  try {
    const rows = parseCsvText(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<
      string,
      string
    >[];
    return { resource: rows };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError('BAD_REQUEST', `Invalid CSV in request body: ${shorten(reason)}`);
  }
}

// ---- XML ----------------------------------------------------------------------------------------------

/** The five predefined entities and character references, decoded in one pass (nothing re-expands). */
function decodeXmlText(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (whole, name: string) => {
    switch (name) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const xmlParser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  tagValueProcessor: (_tag, value) => decodeXmlText(value),
  // The wrapper's items directly under the root are a list even when there is only one.
  isArray: (tag, jPath) => tag === WRAPPER && String(jPath).split('.').length === 2,
});

function parseXml(text: string): unknown {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new ApiError(
      'BAD_REQUEST',
      'Invalid XML in request body: document type declarations are not allowed.',
    );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    throw new ApiError('BAD_REQUEST', `Invalid XML in request body: ${shorten(valid.err.msg)}`);
  let parsed: Record<string, unknown>;
  try {
    parsed = xmlParser.parse(text) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError('BAD_REQUEST', `Invalid XML in request body: ${shorten(reason)}`);
  }
  const [root, content] = Object.entries(parsed)[0] ?? [];
  if (root === undefined) throw new ApiError('BAD_REQUEST', 'Unrecognized payload type');
  const body = content === '' ? {} : content;
  if (root === WRAPPER) return { [WRAPPER]: Array.isArray(body) ? body : [body] };
  return body;
}

function shorten(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
