// A MongoDB database → RawCatalog by sampling: every collection becomes a table whose fields are the
// top-level keys seen in a sample of its documents (deduplicated by `_id`), typed by the BSON types seen, and
// completed by the collection's `$jsonSchema` validator where it has one. Rules (README "MongoDB"):
// - one BSON type seen → that type; int+long → long; int/long+double → double; any number+decimal → decimal;
//   any other mix → `mixed` (a JSON value). null values do not count as a type.
// - a field is nullable unless the validator lists it as required (absence from some documents is normal).
// - `_id` is the primary key; an ObjectId `_id` is exposed as its hex string, other `_id` types are kept.
// - keys starting with `$` or containing `.` cannot be addressed safely and are left out.
// - sub-documents whose sampled values all share one shape record that shape for GraphQL object types.
import type { Db, Document } from 'mongodb';
import type { MongoType } from '../adapters/mongodb/values.js';
import type { RawCatalog, RawColumn, RawKey, RawShapeField, RawTable } from './catalog.js';

export interface MongoIntrospectOptions {
  sampleSize: number;
  onProgress?: (message: string) => void;
}

const NUMERIC_RANK: Partial<Record<MongoType, number>> = { int: 1, long: 2, double: 3, decimal: 4 };
/** Nested shapes deeper than this are exposed as JSON only. */
const MAX_SHAPE_DEPTH = 4;

export async function introspectMongo(db: Db, options: MongoIntrospectOptions): Promise<RawCatalog> {
  const info = (await db
    .admin()
    .command({ buildInfo: 1 })
    .catch(() => ({}))) as { version?: string };
  const collections = (await db.listCollections({}, { nameOnly: false }).toArray()) as Document[];
  const tables: RawTable[] = [];
  for (const collection of collections) {
    const name = String(collection.name);
    if (name.startsWith('system.') || (collection.type !== undefined && collection.type !== 'collection'))
      continue;
    options.onProgress?.(`sampling ${name}`);
    tables.push(await readCollection(db, name, collection, options.sampleSize));
  }
  tables.sort(
    (a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.name.localeCompare(b.name),
  );
  return {
    dialect: 'mongodb',
    database: db.databaseName,
    schema: null,
    serverVersion: info.version ?? '',
    tables,
  };
}

async function readCollection(db: Db, name: string, info: Document, sampleSize: number): Promise<RawTable> {
  const collection = db.collection(name);
  // Wrapper types (Int32, Double, Long) keep int and double apart, which plain JS numbers would not.
  const sampled = await collection
    .aggregate([{ $sample: { size: sampleSize } }], { promoteValues: false, promoteLongs: false })
    .toArray();
  // $sample may return a document twice (documented for real servers too): count each `_id` once.
  const seen = new Set<string>();
  const docs = sampled.filter((doc) => {
    const key = idText(doc);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Fields are listed in the order documents first show them: in `_id` order, not $sample's random one.
  docs.sort((x, y) => idText(x).localeCompare(idText(y)));
  const schema = jsonSchemaOf(info);
  const indexes = (await collection
    .listIndexes()
    .toArray()
    .catch(() => [])) as Document[];
  const columns = inferColumns(docs, schema);
  const { uniqueKeys, plain } = keysOf(indexes, new Set(columns.map((c) => c.name)));
  return {
    name,
    kind: 'table',
    comment: typeof schema?.description === 'string' ? schema.description : null,
    columns,
    primaryKey: ['_id'],
    uniqueKeys,
    indexes: plain,
    foreignKeys: [],
  };
}

/** An `_id` as text that tells types apart (ObjectId 'a…' ≠ string 'a…') and sorts ObjectIds by age. */
function idText(doc: Document): string {
  const id = doc._id as { _bsontype?: string; toHexString?: () => string } | undefined;
  if (id?._bsontype === 'ObjectId' && id.toHexString) return `o:${id.toHexString()}`;
  return `${typeof id}:${id?._bsontype ?? ''}:${JSON.stringify(id ?? null)}`;
}

interface JsonSchema {
  bsonType?: string | string[];
  type?: string | string[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  description?: string;
}

function jsonSchemaOf(info: Document): JsonSchema | null {
  const validator = (info.options as Document | undefined)?.validator as Document | undefined;
  const schema = validator?.$jsonSchema as JsonSchema | undefined;
  return schema && typeof schema === 'object' ? schema : null;
}

export function inferColumns(docs: Document[], schema: JsonSchema | null): RawColumn[] {
  const seen = new Map<string, unknown[]>();
  seen.set('_id', []);
  for (const doc of docs) {
    for (const [key, value] of Object.entries(doc)) {
      if (!addressable(key)) continue;
      let values = seen.get(key);
      if (!values) seen.set(key, (values = []));
      values.push(value);
    }
  }
  for (const key of Object.keys(schema?.properties ?? {}))
    if (addressable(key) && !seen.has(key)) seen.set(key, []);
  const required = new Set(schema?.required ?? []);
  return [...seen].map(([name, values]) => {
    const declared = declaredType(schema?.properties?.[name]);
    const type =
      name === '_id' && values.length === 0 && !declared ? 'objectid' : (declared ?? typeOfValues(values));
    const column: RawColumn = {
      name,
      dbType: type,
      nullable: name !== '_id' && !required.has(name),
      default: null,
      length: null,
      precision: null,
      scale: null,
      // The driver makes an ObjectId `_id` when a document comes without one.
      autoIncrement: name === '_id' && type === 'objectid',
      generated: false,
      comment: schema?.properties?.[name]?.description ?? null,
    };
    if (type === 'object') {
      const shape = shapeOf(values, 1);
      if (shape) column.shape = shape;
    }
    return column;
  });
}

function addressable(key: string): boolean {
  return key !== '' && !key.startsWith('$') && !key.includes('.') && !key.includes('\0');
}

export function bsonTypeOf(value: unknown): MongoType | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number')
    return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 'int' : 'double';
  if (typeof value === 'bigint') return 'long';
  switch ((value as { _bsontype?: string })._bsontype) {
    case 'ObjectId':
      return 'objectid';
    case 'Int32':
      return 'int';
    case 'Long':
      return 'long';
    case 'Double':
      return 'double';
    case 'Decimal128':
      return 'decimal';
    case 'Binary':
      return 'bindata';
    case undefined:
      return Buffer.isBuffer(value) ? 'bindata' : 'object';
    default:
      return 'mixed';
  }
}

/** The one type a field's sampled values share (the rules at the top of this file). */
export function typeOfValues(values: unknown[]): MongoType {
  const types = new Set<MongoType>();
  for (const value of values) {
    const type = bsonTypeOf(value);
    if (type) types.add(type);
  }
  if (types.size === 0) return 'mixed';
  if (types.size === 1) return [...types][0] as MongoType;
  if ([...types].every((t) => NUMERIC_RANK[t] !== undefined)) {
    return [...types].reduce((a, b) => ((NUMERIC_RANK[a] ?? 0) >= (NUMERIC_RANK[b] ?? 0) ? a : b));
  }
  return 'mixed';
}

const JSON_SCHEMA_TYPES: Record<string, MongoType> = {
  objectId: 'objectid',
  string: 'string',
  int: 'int',
  long: 'long',
  double: 'double',
  decimal: 'decimal',
  number: 'double',
  bool: 'bool',
  boolean: 'bool',
  date: 'date',
  object: 'object',
  array: 'array',
  binData: 'bindata',
  integer: 'long',
};

/** A validator's `bsonType` (or JSON `type`) when it names exactly one type besides null. */
function declaredType(property: JsonSchema | undefined): MongoType | null {
  const raw = property?.bsonType ?? property?.type;
  const names = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((t) => t !== 'null');
  return names.length === 1 ? (JSON_SCHEMA_TYPES[names[0] as string] ?? null) : null;
}

/** The shape all sampled sub-documents share, or null when one field's type varies between them. */
function shapeOf(values: unknown[], depth: number): RawShapeField[] | null {
  if (depth > MAX_SHAPE_DEPTH) return null;
  const objects = values.filter((v) => v !== null && v !== undefined) as Document[];
  if (objects.length === 0) return null;
  const fields = new Map<string, unknown[]>();
  for (const object of objects) {
    for (const [key, value] of Object.entries(object)) {
      // Names GraphQL can spell (and not its reserved `__…`); other sub-documents stay JSON.
      if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(key) || key.startsWith('__')) return null;
      let list = fields.get(key);
      if (!list) fields.set(key, (list = []));
      list.push(value);
    }
  }
  const shape: RawShapeField[] = [];
  for (const [name, list] of fields) {
    const type = typeOfValues(list);
    if (type === 'mixed') return null;
    const field: RawShapeField = { name, dbType: type };
    if (type === 'object') {
      const inner = shapeOf(list, depth + 1);
      if (inner) field.shape = inner;
    }
    shape.push(field);
  }
  return shape.length > 0 ? shape : null;
}

function keysOf(indexes: Document[], columns: Set<string>): { uniqueKeys: RawKey[]; plain: RawKey[] } {
  const uniqueKeys: RawKey[] = [];
  const plain: RawKey[] = [];
  for (const index of indexes) {
    const name = String(index.name);
    if (name === '_id_') continue;
    const keys = Object.keys((index.key ?? {}) as Document);
    // Indexes on sub-document paths or on fields the sample never saw are not table keys.
    if (keys.length === 0 || !keys.every((k) => columns.has(k))) continue;
    (index.unique === true ? uniqueKeys : plain).push({ name, columns: keys });
  }
  return { uniqueKeys, plain };
}
