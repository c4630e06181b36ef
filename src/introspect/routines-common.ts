// What the routine introspection of PostgreSQL and MySQL shares: the stable order of RawCatalog.routines.
import type { RawRoutine } from './catalog.js';

/**
 * Case-insensitive by name, then case-sensitive, then procedures before functions (MySQL lets one of each
 * share a name); overloads (PostgreSQL) keep the order they come in.
 */
export function sortRoutines(routines: RawRoutine[]): RawRoutine[] {
  const rank = (r: RawRoutine) => (r.kind === 'procedure' ? 0 : 1);
  return routines.sort((a, b) => {
    const ai = a.name.toLowerCase();
    const bi = b.name.toLowerCase();
    if (ai !== bi) return ai < bi ? -1 : 1;
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    return rank(a) - rank(b);
  });
}
