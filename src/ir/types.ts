// QueryIR: the one request tree both front-ends produce (graphql/to-ir, rest/to-ir) and the executor runs.
// It names model things (service, table, column, relation) and holds values, never SQL.
import type { RelationModel } from '../model/types.js';

export type Scalar = string | number | boolean | null;

export type CompareOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';
/**
 * `like`/`notLike` take a LIKE pattern as given (the database's case rules); `ilike` is always case-insensitive.
 * `contains`/`startsWith`/`endsWith` take a plain substring whose `%` and `_` match themselves.
 */
export type MatchOp = 'like' | 'notLike' | 'ilike' | 'contains' | 'startsWith' | 'endsWith';

export type Expr =
  | { kind: 'compare'; field: string; op: CompareOp; value: Scalar }
  | { kind: 'match'; field: string; op: MatchOp; value: string; caseInsensitive: boolean }
  | { kind: 'in'; field: string; values: Scalar[]; negate: boolean }
  | { kind: 'isNull'; field: string; isNull: boolean }
  | { kind: 'between'; field: string; low: Scalar; high: Scalar }
  | { kind: 'and'; items: Expr[] }
  | { kind: 'or'; items: Expr[] }
  | { kind: 'not'; item: Expr }
  /** Rows with some / no / only related rows matching `where` (null: any related row). */
  | { kind: 'related'; relation: RelationModel; quantifier: 'some' | 'none' | 'every'; where: Expr | null }
  /** Rows whose key tuple is one of `keys` (a cross-service `related` resolved to the keys it matched). */
  | { kind: 'keys'; fields: string[]; keys: Scalar[][]; negate: boolean }
  | { kind: 'const'; value: boolean };

export interface OrderItem {
  field: string;
  direction: 'asc' | 'desc';
  /** Where NULLs go; the database's default when absent. */
  nulls?: 'first' | 'last';
}

/** One output column: the database column and the key it is returned under. */
export interface SelectItem {
  column: string;
  as: string;
}

export interface ReadQuery {
  service: string;
  table: string;
  select: SelectItem[];
  where: Expr | null;
  orderBy: OrderItem[];
  limit: number | null;
  offset: number;
  /** Nested relation reads: each becomes one batched statement per level, whatever the number of parents. */
  relations: RelationRead[];
  /** Per-parent aggregates over relations (`tracksAggregate { count }`). */
  relationAggregates: RelationAggregate[];
}

export interface RelationRead {
  /** The key the related rows are attached under in each parent row (GraphQL response key, REST name). */
  as: string;
  relation: RelationModel;
  /** The far table's read. Its limit/offset apply to each parent, or across all parents (DreamFactory Q9). */
  query: ReadQuery;
  limitScope: 'perParent' | 'global';
  /** What a parent without related rows gets for a single-row relation: null (belongs_to), [] (DF has_one). */
  emptySingle: null | [];
}

export type AggregateFn = 'count' | 'sum' | 'avg' | 'min' | 'max';

export interface AggregateItem {
  as: string;
  fn: AggregateFn;
  /** null for count(*). */
  field: string | null;
  /** count(distinct field). */
  distinct?: boolean;
}

export interface AggregateQuery {
  service: string;
  table: string;
  where: Expr | null;
  groupBy: SelectItem[];
  aggregates: AggregateItem[];
  orderBy: OrderItem[];
  limit: number | null;
  offset: number;
}

export interface RelationAggregate {
  as: string;
  relation: RelationModel;
  query: AggregateQuery;
}

export type Row = Record<string, unknown>;
