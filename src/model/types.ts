// DataModel: services → tables → fields → relations, with both naming schemes (DreamFactory names for
// REST, idiomatic names for GraphQL). Built once by build-model from RawCatalogs plus the config's virtual
// foreign keys; read by every later stage. Plain JSON data (it is written to the schema cache).
import type { Dialect } from '../introspect/catalog.js';

export interface DataModel {
  /** In config order. */
  services: ServiceModel[];
}

export interface ServiceModel {
  name: string;
  type: Dialect;
  label: string;
  description: string | null;
  /** PostgreSQL schema the tables live in; null elsewhere. */
  schema: string | null;
  maxRecords: number;
  /** GraphQL namespace field and type prefix source, e.g. `chinook` / `Chinook`. */
  graphqlName: string;
  /** Sorted case-insensitively by name, as DreamFactory lists them. */
  tables: TableModel[];
  /** Stored procedures and functions (PostgreSQL, MySQL/MariaDB); empty elsewhere. Sorted like tables. */
  routines: RoutineModel[];
}

/** A stored procedure or function (dreamfactory-compat.md §11), built from a RawRoutine. */
export interface RoutineModel {
  name: string;
  kind: 'procedure' | 'function';
  label: string;
  description: string | null;
  /** In position order, OUT parameters included. */
  params: ParamModel[];
  /** Simple type of a function's scalar result; null for procedures, void and set-returning functions. */
  returnType: SimpleType | null;
  /** The return type as the database prints it (`integer`, `setof record`); null for procedures. */
  returnDbType: string | null;
  returnsSet: boolean;
  /** Columns of each returned row when the database says (RETURNS TABLE, OUT params); else empty. */
  returnColumns: ReturnColumnModel[];
  /** Cannot change data (a stable/immutable or READS SQL DATA function): a GraphQL query field; else a mutation. */
  readOnly: boolean;
  /** The GraphQL field name (`albumCount`), unique within the service's queries or mutations. */
  graphqlName: string;
}

export interface ParamModel {
  name: string;
  position: number;
  mode: 'IN' | 'OUT' | 'INOUT';
  dbType: string;
  type: SimpleType;
  length: number | null;
  precision: number | null;
  scale: number | null;
  default: string | null;
  graphqlName: string;
}

export interface ReturnColumnModel {
  name: string;
  dbType: string;
  type: SimpleType;
  graphqlName: string;
}

/** DreamFactory simple types (dreamfactory-compat.md §7.3). */
export type SimpleType =
  | 'id'
  | 'reference'
  | 'boolean'
  | 'integer'
  | 'bigint'
  | 'decimal'
  | 'double'
  | 'float'
  | 'money'
  | 'timestamp'
  | 'timestamp_on_create'
  | 'timestamp_on_update'
  | 'datetime'
  | 'date'
  | 'time'
  | 'binary'
  | 'text'
  | 'uuid'
  | 'array'
  | 'json'
  | 'string';

export interface TableModel {
  /** The database name, used verbatim in REST paths (`Album`, `album`). */
  name: string;
  label: string;
  plural: string;
  description: string | null;
  isView: boolean;
  /** Column names; empty when the table has no primary key. */
  primaryKey: string[];
  /** Unique keys other than the primary key. */
  uniqueKeys: string[][];
  fields: FieldModel[];
  relations: RelationModel[];
  graphql: TableGraphqlNames;
  /** Set only in a role's view of the model (auth/role-view): the write verbs that role has here. */
  writableVerbs?: ('POST' | 'PUT' | 'PATCH' | 'DELETE')[];
}

export interface TableGraphqlNames {
  /** Object type name, e.g. `Album`, `PlaylistTrack`, or `Reviews_Review` after a cross-service collision. */
  type: string;
  /** List field, e.g. `albums`. */
  list: string;
  /** By-primary-key field, e.g. `album`; null when the table has no primary key. */
  byKey: string | null;
}

export interface FieldModel {
  name: string;
  label: string;
  description: string | null;
  dbType: string;
  type: SimpleType;
  allowNull: boolean;
  /** Typecast to the simple type where possible; `{ expression }` for database expressions. */
  default: unknown;
  length: number | null;
  precision: number | null;
  scale: number | null;
  autoIncrement: boolean;
  /** NOT NULL, no default, not auto-increment, not generated. */
  required: boolean;
  isPrimaryKey: boolean;
  isUnique: boolean;
  isIndex: boolean;
  /** True for real (constraint) foreign keys only; virtual keys leave the column untouched (§9.1). */
  isForeignKey: boolean;
  refTable: string | null;
  refField: string | null;
  /** Generated columns and view columns cannot be written. */
  readOnly: boolean;
  graphqlName: string;
  /** MongoDB sub-documents with one shape in every sampled document: a GraphQL object type instead of JSON. */
  shape?: ShapeField[];
}

/** A field of a sub-document; its name is used verbatim in GraphQL (introspection keeps only valid names). */
export interface ShapeField {
  name: string;
  type: SimpleType;
  dbType: string;
  shape?: ShapeField[];
}

export type RelationType = 'belongs_to' | 'has_one' | 'has_many' | 'many_many';

export interface JunctionModel {
  service: string;
  table: string;
  /** Junction columns matching this table's `fields`. */
  fields: string[];
  /** Junction columns matching the far table's `refFields`. */
  refFields: string[];
}

export interface RelationModel {
  /**
   * DreamFactory's name (`Album_by_ArtistId`, `crm.Contact_by_Email`), or null when DreamFactory would not
   * expose this relation (it lost a name collision, §8.3 — e.g. Employee's self-referencing belongs_to).
   */
  name: string | null;
  /** The GraphQL field name (`artist`, `tracks`), or null when GraphQL does not expose it (§8.1 quirk junctions). */
  graphqlName: string | null;
  type: RelationType;
  /** `constraint`: a real foreign key; `virtual`: declared in the config. */
  kind: 'constraint' | 'virtual';
  /** The two ends live in different services (so never joined in SQL). */
  crossService: boolean;
  /** Local columns. */
  fields: string[];
  refService: string;
  refTable: string;
  /** Columns on the far table. */
  refFields: string[];
  junction: JunctionModel | null;
  onUpdate: string | null;
  onDelete: string | null;
  /** The foreign key constraint (or virtual key) this relation was derived from. */
  source: string;
}
