// Role access entries + (service, component, verb) → allowed or not, by DreamFactory's matching rules
// (compat §10.3): components compare case-insensitively; the most specific level that matches wins (exact >
// wildcard > the service's `*` > every service's `*`), and the verbs of all entries at that level add up.
import type { AccessVerb, RoleAccessConfig, RoleConfig } from './types.js';

export const ALL_VERBS: AccessVerb[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The component a request path names: the path after the service, lower-cased, `(…)` removed. */
export function componentOf(path: string[]): string {
  return path
    .join('/')
    .replace(/\([^)]*\)/g, '')
    .replace(/^\/+|\/+$/g, '')
    .toLowerCase();
}

const normalise = (component: string) =>
  component
    .trim()
    .replace(/^\/+|\/+$/g, '')
    .toLowerCase();

/** The entries of the winning level for this service and component (empty: no access at all). */
export function matchingEntries(role: RoleConfig, service: string, component: string): RoleAccessConfig[] {
  const wanted = normalise(component);
  const levels: RoleAccessConfig[][] = [[], [], [], []];
  for (const entry of role.access) {
    const own = entry.service === service;
    if (!own && entry.service !== '*') continue;
    const pattern = normalise(entry.component);
    if (own && pattern === wanted && !pattern.endsWith('*')) levels[0]?.push(entry);
    else if (own && pattern.endsWith('*') && pattern !== '*' && `${wanted}/`.startsWith(pattern.slice(0, -1)))
      levels[1]?.push(entry);
    else if (own && pattern === '*') levels[2]?.push(entry);
    else if (!own && pattern === '*') levels[3]?.push(entry);
  }
  return levels.find((level) => level.length > 0) ?? [];
}

export function allowedVerbs(role: RoleConfig, service: string, component: string): Set<AccessVerb> {
  return new Set(matchingEntries(role, service, component).flatMap((entry) => entry.verbs));
}

export function isAllowed(role: RoleConfig, service: string, component: string, verb: AccessVerb): boolean {
  return allowedVerbs(role, service, component).has(verb);
}

/** DF's numeric mask: GET 1, POST 2, PUT 4, PATCH 8, DELETE 16. */
export function verbMask(verbs: Iterable<AccessVerb>): number {
  let mask = 0;
  for (const verb of verbs) mask |= 1 << ALL_VERBS.indexOf(verb);
  return mask;
}
