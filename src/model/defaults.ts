// Raw default expression text (as each catalog stores it) → a client value typed by the simple type, or
// `{ expression }` for anything computed by the database (DreamFactory's `default` in _schema, §7.2).
import type { SimpleType } from './types.js';

export interface DefaultExpression {
  expression: string;
}

const NUMBER_TYPES = new Set<SimpleType>(['integer', 'id', 'reference', 'float', 'double']);

export function typecastDefault(raw: string | null, type: SimpleType, autoIncrement: boolean): unknown {
  if (raw === null || autoIncrement) return null;
  const text = stripCast(raw.trim());
  if (/^null$/i.test(text)) return null;
  const literal = unquote(text);
  if (literal !== null) return castLiteral(literal, type);
  if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return castLiteral(text, type);
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^b'[01]'$/i.test(text)) return text[2] === '1';
  return { expression: normaliseExpression(text) } satisfies DefaultExpression;
}

/** Is this default the "now" of its database (for timestamp_on_create)? */
export function isCurrentTimestamp(raw: string | null): boolean {
  if (raw === null) return false;
  return /^(current_timestamp(\(\d*\))?|now\(\)|localtimestamp|\(?datetime\('now'\)\)?)$/i.test(raw.trim());
}

// PostgreSQL stores `'abc'::character varying` and `(0)::numeric`; the cast adds nothing for clients.
function stripCast(text: string): string {
  const cast = /^\(?('(?:[^']|'')*'|[-+]?\d+(?:\.\d+)?)\)?::[a-z0-9_ ."[\]()]+$/i.exec(text);
  return cast?.[1] ?? text;
}

function unquote(text: string): string | null {
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) {
    return text.slice(1, -1).replace(/''/g, "'").replace(/\\'/g, "'");
  }
  return null;
}

function castLiteral(literal: string, type: SimpleType): unknown {
  if (NUMBER_TYPES.has(type) && /^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(literal)) return Number(literal);
  if (type === 'boolean') {
    if (/^(1|true|t|y|yes)$/i.test(literal)) return true;
    if (/^(0|false|f|n|no)$/i.test(literal)) return false;
  }
  return literal;
}

function normaliseExpression(text: string): string {
  return /^(current_timestamp(\(\))?|now\(\))$/i.test(text) ? 'CURRENT_TIMESTAMP' : text;
}
