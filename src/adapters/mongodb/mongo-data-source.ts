// DataSource over one MongoDB database (or one session's transaction): each IR operation is one command —
// find, countDocuments, aggregate, insertMany, updateMany, deleteMany — counted like a SQL statement.
// Relations across services arrive as key lists (`$in`), so a relation level is one command for all parents.
import type { ClientSession, Db, Document, Filter } from 'mongodb';
import { ApiError } from '../../errors/index.js';
import { type DataSource, type ExecStats, parentKey } from '../../executor/data-source.js';
import type { AggregateQuery, Expr, ReadQuery, Row, Scalar } from '../../ir/types.js';
import type { RelationModel } from '../../model/types.js';
import { compileFilter, field, keysFilter, type FieldTypes } from './compile-filter.js';
import {
  aggregatePipeline,
  aggregateRow,
  emptyAggregateRow,
  pageStages,
  plainSort,
  projection,
  sortStages,
} from './compile-read.js';
import { translateMongoError } from './errors.js';
import { fromBson, toBson } from './values.js';
import { observed, type StatementReporting } from '../../observability/statements.js';

/** Field types per collection, from the model the runtime adopted (empty until then: values pass as given). */
export type TypesOf = (table: string) => FieldTypes;

export interface MongoContext {
  service: string;
  db: () => Promise<Db>;
  types: TypesOf;
  /** Resolves whether the server can run multi-document transactions (replica set or mongos). */
  transactions: () => Promise<boolean>;
  startSession: () => Promise<ClientSession>;
  /** Where executed commands are reported (metrics, traces); absent: nowhere. */
  hub?: StatementReporting['hub'];
}

/** MongoDB ends a read that runs longer (MaxTimeMSExpired → 504 STATEMENT_TIMEOUT). */
export const READ_TIME_LIMIT_MS = 30_000;

/** Parent keys per command: beyond this a level is split (a BSON command is at most 16 MB). */
const KEYS_PER_COMMAND = 50_000;

export class MongoDataSource implements DataSource {
  constructor(
    private readonly ctx: MongoContext,
    private readonly session: ClientSession | null = null,
  ) {}

  async read(query: ReadQuery, stats: ExecStats): Promise<Row[]> {
    const where = compileFilter(query.where, this.ctx.types(query.table));
    const docs = await this.find(query, where, [], stats);
    return docs.map((doc) => this.row(doc, query));
  }

  async readRelated(
    relation: RelationModel,
    query: ReadQuery,
    keys: Scalar[][],
    perParent: boolean,
    stats: ExecStats,
  ): Promise<Row[]> {
    refuseJunction(relation);
    const types = this.ctx.types(query.table);
    const parents = relation.refFields;
    const own = compileFilter(query.where, types);
    // A per-parent page cannot be one find: read every related row in order, then cut each parent's page.
    const windowed = perParent && (query.limit !== null || query.offset > 0);
    const page = windowed ? { ...query, limit: null, offset: 0 } : query;
    const rows: Row[] = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_COMMAND) {
      const part = keys.slice(i, i + KEYS_PER_COMMAND);
      const where = and([keysFilter(parents, part, false, types), own]);
      const docs = await this.find(page, where, parents, stats);
      for (const doc of docs) {
        const row = this.row(doc, query);
        parents.forEach((f, j) => (row[parentKey(j)] = fromBson(doc[f])));
        rows.push(row);
      }
    }
    if (!windowed) return rows;
    return pagePerParent(rows, parents.length, query.limit, query.offset);
  }

  async count(query: Pick<ReadQuery, 'table' | 'where'>, stats: ExecStats): Promise<number> {
    const where = compileFilter(query.where, this.ctx.types(query.table));
    return this.run(stats, async (db) => db.collection(query.table).countDocuments(where, this.readOpts()));
  }

  async aggregate(query: AggregateQuery, stats: ExecStats): Promise<Row[]> {
    const match = compileFilter(query.where, this.ctx.types(query.table));
    const docs = await this.pipeline(query.table, aggregatePipeline(match, query), stats);
    const rows = docs.map((doc) => aggregateRow(doc, query, 0, fromBson));
    // SQL answers an ungrouped aggregate over no rows with one row; `$group` answers with none.
    if (rows.length === 0 && query.groupBy.length === 0 && query.offset === 0)
      return [emptyAggregateRow(query)];
    return rows;
  }

  async aggregateRelated(
    relation: RelationModel,
    query: AggregateQuery,
    keys: Scalar[][],
    stats: ExecStats,
  ): Promise<Row[]> {
    refuseJunction(relation);
    const types = this.ctx.types(query.table);
    const match = and([
      keysFilter(relation.refFields, keys, false, types),
      compileFilter(query.where, types),
    ]);
    const pipeline = aggregatePipeline(match, query, relation.refFields);
    const docs = await this.pipeline(query.table, pipeline, stats);
    return docs.map((doc) => aggregateRow(doc, query, relation.refFields.length, fromBson));
  }

  async distinctKeys(
    table: string,
    fields: string[],
    where: Expr | null,
    limit: number,
    stats: ExecStats,
  ): Promise<Row[]> {
    const id: Document = {};
    fields.forEach((f, i) => (id[`k${i}`] = `$${field(f)}`));
    const present = fields.map((f) => ({ [field(f)]: { $ne: null } }));
    const match = and([...present, compileFilter(where, this.ctx.types(table))]);
    const docs = await this.pipeline(
      table,
      [{ $match: match }, { $group: { _id: id } }, { $limit: limit }],
      stats,
    );
    return docs.map((doc) => {
      const row: Row = {};
      fields.forEach((_, i) => (row[parentKey(i)] = fromBson((doc._id as Document)[`k${i}`])));
      return row;
    });
  }

  async transaction<T>(work: (tx: DataSource) => Promise<T>): Promise<T> {
    // Nested transaction() calls run in the outer one (as SQL savepoint-free nesting would).
    if (this.session) return work(this);
    // Without replica-set transactions each command is atomic on its own; callers that need all-or-nothing
    // across commands (REST rollback=true) ask `transactions()` first and refuse.
    if (!(await this.ctx.transactions())) return work(this);
    const session = await this.ctx.startSession();
    try {
      session.startTransaction();
      let result: T;
      try {
        result = await work(new MongoDataSource(this.ctx, session));
      } catch (error) {
        // The work's own errors (already translated, or a caller's sentinel) pass through unchanged.
        await session.abortTransaction().catch(() => undefined);
        throw error;
      }
      try {
        await session.commitTransaction();
      } catch (error) {
        throw translateMongoError(error, this.ctx.service);
      }
      return result;
    } finally {
      await session.endSession().catch(() => undefined);
    }
  }

  async insert(table: string, rows: Row[], returning: string[], stats: ExecStats): Promise<Row[]> {
    if (rows.length === 0) return [];
    const docs = rows.map((row) => this.document(table, row));
    await this.run(stats, (db) => db.collection(table).insertMany(docs, { ...this.opts(), ordered: true }));
    // insertMany sets each document's `_id` (driver-made ObjectIds included) on the objects it was given.
    return docs.map((doc, i) => {
      const out: Row = { ...(rows[i] as Row) };
      for (const name of returning) out[name] = fromBson(doc[name]);
      return out;
    });
  }

  async update(table: string, set: Row, where: Expr, stats: ExecStats): Promise<number> {
    const filter = compileFilter(where, this.ctx.types(table));
    const values = this.document(table, set);
    if (Object.keys(values).length === 0) return this.count({ table, where }, stats);
    const result = await this.run(stats, (db) =>
      db.collection(table).updateMany(filter, { $set: values }, this.opts()),
    );
    return result.matchedCount;
  }

  async delete(table: string, where: Expr, stats: ExecStats): Promise<number> {
    const filter = compileFilter(where, this.ctx.types(table));
    const result = await this.run(stats, (db) => db.collection(table).deleteMany(filter, this.opts()));
    return result.deletedCount;
  }

  async upsert(
    table: string,
    values: Row,
    conflict: string[],
    update: string[],
    stats: ExecStats,
  ): Promise<void> {
    const doc = this.document(table, values);
    const types = this.ctx.types(table);
    // Plain equality on the key, so an insert takes the key from the filter (an `$in` filter would not).
    const filter: Document = {};
    for (const f of conflict) filter[field(f)] = toBson(values[f], types.get(f));
    const set: Document = {};
    const onInsert: Document = {};
    for (const [name, value] of Object.entries(doc)) {
      if (update.includes(name)) set[name] = value;
      else if (!conflict.includes(name)) onInsert[name] = value;
    }
    const change: Document = {};
    if (Object.keys(set).length > 0) change.$set = set;
    if (Object.keys(onInsert).length > 0) change.$setOnInsert = onInsert;
    if (Object.keys(change).length === 0)
      change.$setOnInsert = { [conflict[0] as string]: doc[conflict[0] as string] };
    await this.run(stats, (db) =>
      db.collection(table).updateOne(filter, change, { ...this.opts(), upsert: true }),
    );
  }

  /** Whether an all-or-nothing batch can be promised here (REST rollback=true). */
  canRollback(): Promise<boolean> {
    return this.ctx.transactions();
  }

  private async find(query: ReadQuery, where: Filter<Document>, extra: string[], stats: ExecStats) {
    const project = projection(query.select, extra);
    const sort = plainSort(query.orderBy);
    if (sort !== null) {
      return this.run(stats, (db) => {
        const cursor = db.collection(query.table).find(where, { ...this.readOpts(), projection: project });
        if (Object.keys(sort).length > 0) cursor.sort(sort);
        if (query.offset > 0) cursor.skip(query.offset);
        if (query.limit !== null) cursor.limit(query.limit);
        return cursor.toArray();
      });
    }
    const pipeline = [
      { $match: where },
      ...sortStages(query.orderBy),
      ...pageStages(query.limit, query.offset),
      { $project: project },
    ];
    return this.pipeline(query.table, pipeline, stats);
  }

  private pipeline(table: string, pipeline: Document[], stats: ExecStats): Promise<Document[]> {
    return this.run(stats, (db) => db.collection(table).aggregate(pipeline, this.readOpts()).toArray());
  }

  /** A request row → the document to write: known fields converted to their BSON type, keys checked. */
  private document(table: string, row: Row): Document {
    const types = this.ctx.types(table);
    const doc: Document = {};
    for (const [name, value] of Object.entries(row)) {
      const converted = toBson(value, types.get(field(name)));
      // A missing `_id` is the driver's to make (an ObjectId); null would be stored as a null key.
      if (name === '_id' && converted === null) continue;
      doc[name] = converted;
    }
    return doc;
  }

  private row(doc: Document, query: ReadQuery): Row {
    const row: Row = {};
    for (const item of query.select) row[item.as] = fromBson(doc[item.column]);
    return row;
  }

  private opts(): { session?: ClientSession } {
    return this.session ? { session: this.session } : {};
  }

  /** Reads also carry a server-side time limit (a pathological regex must not hold a server's thread). */
  private readOpts(): { session?: ClientSession; maxTimeMS: number } {
    return { ...this.opts(), maxTimeMS: READ_TIME_LIMIT_MS };
  }

  private async run<T>(stats: ExecStats, command: (db: Db) => Promise<T>): Promise<T> {
    stats.statements += 1;
    const reporting = this.ctx.hub && { service: this.ctx.service, hub: this.ctx.hub };
    try {
      return await observed(
        reporting,
        { dialect: 'mongodb', request: stats.request, text: () => ({ sql: 'command', bindings: [] }) },
        async () => command(await this.ctx.db()),
        () => null,
      );
    } catch (error) {
      throw translateMongoError(error, this.ctx.service);
    }
  }
}

/** Many-to-many through a junction needs a join, which MongoDB cannot do inside one command. */
function refuseJunction(relation: RelationModel): void {
  if (relation.junction) {
    throw new ApiError(
      'NOT_SUPPORTED',
      'Many-to-many relations through a MongoDB junction are not supported.',
    );
  }
}

function and(filters: Filter<Document>[]): Filter<Document> {
  const parts = filters.filter((f) => Object.keys(f).length > 0);
  if (parts.length === 0) return {};
  return parts.length === 1 ? (parts[0] as Filter<Document>) : { $and: parts };
}

/** Rows in their read order → each parent's `offset`…`offset + limit` slice (parents keyed by `__p…`). */
function pagePerParent(rows: Row[], width: number, limit: number | null, offset: number): Row[] {
  const seen = new Map<string, number>();
  return rows.filter((row) => {
    const key = JSON.stringify(Array.from({ length: width }, (_, i) => row[parentKey(i)]));
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return n >= offset && (limit === null || n < offset + limit);
  });
}
