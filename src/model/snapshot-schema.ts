// The RawCatalog's shape as a zod schema, so a cache file edited by hand or cut short is reported as corrupt
// instead of failing somewhere deep in the model builder.
import { z } from 'zod';

const key = z.object({ name: z.string(), columns: z.array(z.string()) });

interface ShapeField {
  name: string;
  dbType: string;
  shape?: ShapeField[] | undefined;
}

const shapeField: z.ZodType<ShapeField> = z.lazy(() =>
  z.object({ name: z.string(), dbType: z.string(), shape: z.array(shapeField).optional() }),
);

const column = z.object({
  name: z.string(),
  dbType: z.string(),
  nullable: z.boolean(),
  default: z.string().nullable(),
  length: z.number().nullable(),
  precision: z.number().nullable(),
  scale: z.number().nullable(),
  autoIncrement: z.boolean(),
  generated: z.boolean(),
  onUpdateCurrentTimestamp: z.boolean().optional(),
  generatedAlways: z.boolean().optional(),
  comment: z.string().nullable(),
  shape: z.array(shapeField).optional(),
});

const table = z.object({
  name: z.string(),
  kind: z.enum(['table', 'view']),
  comment: z.string().nullable(),
  columns: z.array(column),
  primaryKey: z.array(z.string()),
  uniqueKeys: z.array(key),
  indexes: z.array(key),
  foreignKeys: z.array(
    z.object({
      name: z.string(),
      columns: z.array(z.string()),
      refTable: z.string(),
      refColumns: z.array(z.string()),
      onUpdate: z.string(),
      onDelete: z.string(),
    }),
  ),
});

const routine = z.object({
  name: z.string(),
  kind: z.enum(['procedure', 'function']),
  comment: z.string().nullable(),
  params: z.array(
    z.object({
      name: z.string(),
      position: z.number(),
      mode: z.enum(['IN', 'OUT', 'INOUT']),
      dbType: z.string(),
      length: z.number().nullable(),
      precision: z.number().nullable(),
      scale: z.number().nullable(),
      default: z.string().nullable(),
    }),
  ),
  returnType: z.string().nullable(),
  returnsSet: z.boolean(),
  returnColumns: z.array(z.object({ name: z.string(), dbType: z.string() })),
  readOnly: z.boolean(),
});

export const rawCatalogSchema = z.object({
  dialect: z.enum(['postgres', 'mysql', 'sqlite', 'mongodb']),
  database: z.string(),
  schema: z.string().nullable(),
  serverVersion: z.string(),
  tables: z.array(table),
  /** Absent in files written before routines were read, and for SQLite and MongoDB. */
  routines: z.array(routine).optional(),
});
