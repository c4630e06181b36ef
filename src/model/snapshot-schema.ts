// The RawCatalog's shape as a zod schema, so a cache file edited by hand or cut short is reported as corrupt
// instead of failing somewhere deep in the model builder.
import { z } from 'zod';

const key = z.object({ name: z.string(), columns: z.array(z.string()) });

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

export const rawCatalogSchema = z.object({
  dialect: z.enum(['postgres', 'mysql', 'sqlite', 'mongodb']),
  database: z.string(),
  schema: z.string().nullable(),
  serverVersion: z.string(),
  tables: z.array(table),
});
