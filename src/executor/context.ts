// One request's execution state: the model it started on, a DataSource per service, the statement counter,
// and the per-request DataLoaders that batch and de-duplicate relation fetches.
import type DataLoader from 'dataloader';
import type { Principal } from '../auth/types.js';
import type { Row } from '../ir/types.js';
import type { ModelIndex } from '../model/model-index.js';
import type { DataSource, ExecStats } from './data-source.js';

export interface ExecContext {
  index: ModelIndex;
  /** Who the request runs as: every read, count and aggregate passes the authorize stage for it. */
  principal: Principal;
  source(service: string): DataSource;
  stats: ExecStats;
  /** Keyed by relation + the full child query, so only identical fetches share rows. */
  loaders: Map<string, DataLoader<string, Row[]>>;
  /**
   * GraphQL: a relation into another service that fails leaves its error in place of the related rows, so
   * that field alone is null with the error (partial data). REST leaves it unset: the request fails whole.
   */
  partialRelations?: boolean;
}

export function createExecContext(
  index: ModelIndex,
  source: (service: string) => DataSource,
  principal: Principal = { kind: 'open' },
): ExecContext {
  return { index, principal, source, stats: { statements: 0 }, loaders: new Map() };
}
