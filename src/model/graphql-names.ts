// Idiomatic GraphQL names from database names: PascalCase singular types, camelCase fields, plural lists,
// `artist` for a belongs-to, `tracks` for a has-many. The collision rules are documented in the README.
import { camelCase, pascalCase } from 'change-case';
import pluralize from 'pluralize';

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export function isGraphqlName(name: string): boolean {
  return GRAPHQL_NAME.test(name) && !name.startsWith('__');
}

/** Drops accents and anything GraphQL cannot spell, so `Année` becomes `annee`, not an invalid name. */
function ascii(text: string): string {
  return text.normalize('NFKD').replace(/[^\x20-\x7e]/g, '');
}

function safe(name: string, fallback: string): string {
  if (name.length === 0) return fallback;
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

export function fieldName(column: string, fallback = 'field'): string {
  return safe(camelCase(ascii(column)), fallback);
}

export function typeName(table: string): string {
  return safe(pascalCase(ascii(pluralize.singular(table))), 'Table');
}

export function listFieldName(table: string): string {
  return safe(camelCase(ascii(pluralize.plural(pluralize.singular(table)))), 'rows');
}

export function singleFieldName(type: string): string {
  return safe(camelCase(type), 'row');
}

/** `ArtistId` → `artist`, `support_rep_id` → `supportRep`; null when nothing is left to name. */
export function belongsToBase(columns: string[]): string | null {
  if (columns.length !== 1) return null;
  const stripped = (columns[0] ?? '').replace(/(_id|_ID|Id|ID)$/, '');
  return stripped.length === 0 ? null : fieldName(stripped);
}

export function singularFieldName(table: string): string {
  return singleFieldName(typeName(table));
}

export function pascal(text: string): string {
  return pascalCase(ascii(text));
}

/** Makes `name` unique within `taken` by appending 2, 3, …; records the result. */
export function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n += 1) candidate = `${name}${n}`;
  taken.add(candidate);
  return candidate;
}
