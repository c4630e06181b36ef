// A DataSource call (operation + IR arguments) → the hash its cached result is stored under. The IR has
// already passed the authorize stage, so it carries the role's row filters and visible columns; the scope
// (role) and the service's model fingerprint are hashed in as well.
import { createHash } from 'node:crypto';
import type { ReadQuery } from '../ir/types.js';

/**
 * JSON with object keys sorted at every level, so two equal IR trees built in different property orders
 * give one text. Arrays keep their order (select, orderBy and key tuples are ordered). Undefined members are
 * left out as JSON.stringify does; bigints are marked so they never equal a string or a number.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      // JSON has no NaN or Infinity; keep them apart from null and from each other.
      return Number.isFinite(value) ? JSON.stringify(value) : `"#num:${String(value)}"`;
    case 'bigint':
      return `"#bigint:${value.toString()}"`;
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: cannot key a ${typeof value}`);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (value instanceof Date) return `"#date:${value.toISOString()}"`;
  const members = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${members.join(',')}}`;
}

/** SHA-256 of the parts, hex; each part is length-prefixed so no two part lists hash alike. */
export function hashParts(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:${part}`);
  return hash.digest('hex');
}

/** The identity of one cached call: who may share it, on which model, which operation on which IR. */
export interface CallIdentity {
  /** The caller's role (src/cache/scope.ts). */
  scope: string;
  /** The service's model fingerprint: a reload that changes the service starts new keys. */
  model: string;
  op: string;
  args: unknown;
}

export function callKey(call: CallIdentity): string {
  return hashParts([call.scope, call.model, call.op, canonicalJson(call.args)]);
}

/**
 * The part of a read the source runs. Nested `relations`/`relationAggregates` are the executor's business
 * (data-source.ts): it reads them with calls of their own, so two reads differing only there share a result.
 */
export function sourcePart(query: ReadQuery): Omit<ReadQuery, 'relations' | 'relationAggregates'> {
  const { relations: _r, relationAggregates: _a, ...rest } = query;
  return rest;
}

const fingerprints = new WeakMap<object, string>();

/** A hash of a model object (a service's model), computed once per object: models are immutable once built. */
export function fingerprint(model: object): string {
  let found = fingerprints.get(model);
  if (found === undefined) {
    found = hashParts([canonicalJson(model)]).slice(0, 24);
    fingerprints.set(model, found);
  }
  return found;
}
