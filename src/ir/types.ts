// QueryIR: the one request tree both front-ends produce (graphql/to-ir, rest/to-ir) and the executor runs.
// It names model things (service, table, column, relation) and holds values, never SQL.

export type Scalar = string | number | boolean | null;

export type CompareOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';
/** Pattern ops: `like`/`ilike` take a SQL LIKE pattern; the others take a plain substring. */
export type MatchOp = 'like' | 'nlike' | 'ilike' | 'contains' | 'startsWith' | 'endsWith';

export type Expr =
  | { kind: 'compare'; field: string; op: CompareOp; value: Scalar }
  | { kind: 'match'; field: string; op: MatchOp; value: string; caseInsensitive?: boolean }
  | { kind: 'in'; field: string; values: Scalar[]; negate: boolean }
  | { kind: 'isNull'; field: string; isNull: boolean }
  | { kind: 'between'; field: string; low: Scalar; high: Scalar }
  | { kind: 'and'; items: Expr[] }
  | { kind: 'or'; items: Expr[] }
  | { kind: 'not'; item: Expr }
  /** Rows with some / no / only related rows matching `where`. */
  | { kind: 'related'; relation: RelationRef; quantifier: 'some' | 'none' | 'every'; where: Expr | null }
  /** Rows whose key tuple is one of `keys` (stitching, and cross-service filters resolved to keys). */
  | { kind: 'keys'; fields: string[]; keys: Scalar[][] }
  | { kind: 'const'; value: boolean };

export interface OrderItem {
  field: string;
  direction: 'asc' | 'desc';
  /** Where NULLs go; the database's default when absent. */
  nulls?: 'first' | 'last';
}

/** A relation of a table, found by its index in `TableModel.relations` (stable within one model). */
export interface RelationRef {
  table: string;
  index: number;
}

export interface ReadQuery {
  service: string;
  table: string;
  /** Columns to return; the executor adds the keys it needs for stitching and removes them again. */
  select: string[];
  where: Expr | null;
  orderBy: OrderItem[];
  limit: number | null;
  offset: number;
  /** Nested relation reads, each becomes one batched statement per level. */
  relations: RelationRead[];
}

export interface RelationRead {
  /** The key the related rows are attached under in each parent row (GraphQL response key, REST name). */
  as: string;
  relation: RelationRef;
  /** The far table's read; its limit/offset apply per parent, or across all parents (DreamFactory's Q9). */
  query: ReadQuery;
  limitScope: 'perParent' | 'global';
}

export interface AggregateQuery {
  service: string;
  table: string;
  where: Expr | null;
  groupBy: string[];
  aggregates: AggregateItem[];
}

export interface AggregateItem {
  as: string;
  fn: 'count' | 'sum' | 'avg' | 'min' | 'max';
  /** null for count(*). */
  field: string | null;
}
