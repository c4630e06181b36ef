// Write IR: inserts with nested writes along relations, updates and deletes by filter, upserts. Produced by
// graphql/mutation-to-ir (and later rest/to-ir), run by executor/execute-write inside one transaction.
import type { Expr, Row } from './types.js';
import type { RelationModel } from '../model/types.js';

/** One row to insert, with what must be written before it (parents) and after it (children, links). */
export interface InsertNode {
  service: string;
  table: string;
  /** Column → value as given (foreign keys filled from parents are added by the executor). */
  values: Row;
  /** belongs_to: create the parent first, or take its key as given (`connect`), then fill our foreign key. */
  parents: { relation: RelationModel; create: InsertNode | null; connect: Row | null }[];
  /** has_many / has_one: create children with their foreign key set to our key, or adopt existing ones. */
  children: { relation: RelationModel; create: InsertNode[]; connect: Row[] }[];
  /** many_many: create far rows and link them, or link existing far rows, through the junction table. */
  links: { relation: RelationModel; create: InsertNode[]; connect: Row[] }[];
}

export interface InsertOp {
  kind: 'insert';
  service: string;
  table: string;
  rows: InsertNode[];
}

export interface UpdateOp {
  kind: 'update';
  service: string;
  table: string;
  where: Expr | null;
  set: Row;
}

export interface DeleteOp {
  kind: 'delete';
  service: string;
  table: string;
  where: Expr | null;
}

export interface UpsertOp {
  kind: 'upsert';
  service: string;
  table: string;
  values: Row;
  /** The unique key (primary key by default) whose clash turns the insert into an update. */
  conflict: string[];
  /** Columns overwritten on a clash. */
  update: string[];
}

export type WriteOp = InsertOp | UpdateOp | DeleteOp | UpsertOp;
