// DataModel → constant-time lookups (service, table, field by DB name or GraphQL name). Built once per model
// version and shared by every request on that model.
import { ApiError } from '../errors/index.js';
import type { DataModel, FieldModel, RelationModel, ServiceModel, TableModel } from './types.js';

export interface TableEntry {
  service: ServiceModel;
  table: TableModel;
  fields: Map<string, FieldModel>;
  fieldsByGraphql: Map<string, FieldModel>;
  relationsByGraphql: Map<string, RelationModel>;
  /** REST names are case-insensitive (§8.4): keyed by the lower-cased name. */
  relationsByName: Map<string, RelationModel>;
}

export class ModelIndex {
  private readonly entries = new Map<string, TableEntry>();
  private readonly services = new Map<string, ServiceModel>();
  /** REST addresses tables case-insensitively (compat §1.1): service → lower-cased name → entry. */
  private readonly folded = new Map<string, Map<string, TableEntry>>();

  constructor(readonly model: DataModel) {
    for (const service of model.services) {
      this.services.set(service.name, service);
      const folded = new Map<string, TableEntry>();
      this.folded.set(service.name, folded);
      for (const table of service.tables) {
        const entry: TableEntry = {
          service,
          table,
          fields: new Map(table.fields.map((f) => [f.name, f])),
          fieldsByGraphql: new Map(table.fields.map((f) => [f.graphqlName, f])),
          relationsByGraphql: new Map(
            table.relations.filter((r) => r.graphqlName !== null).map((r) => [r.graphqlName as string, r]),
          ),
          relationsByName: new Map(
            table.relations.filter((r) => r.name !== null).map((r) => [(r.name as string).toLowerCase(), r]),
          ),
        };
        this.entries.set(key(service.name, table.name), entry);
        // An exact-case twin (`album` and `Album`) keeps the first; exact lookups still find both.
        if (!folded.has(table.name.toLowerCase())) folded.set(table.name.toLowerCase(), entry);
      }
    }
  }

  /** A table by the name a client wrote: exact match first, then case-insensitive; undefined when none. */
  findTable(service: string, name: string): TableEntry | undefined {
    return this.entries.get(key(service, name)) ?? this.folded.get(service)?.get(name.toLowerCase());
  }

  /** The service by the name a client wrote (DreamFactory lower-cases service names). */
  findService(name: string): ServiceModel | undefined {
    return this.services.get(name) ?? this.services.get(name.toLowerCase());
  }

  service(name: string): ServiceModel {
    const service = this.services.get(name);
    if (!service) throw new ApiError('NOT_FOUND', `Service "${name}" not found.`);
    return service;
  }

  entry(service: string, table: string): TableEntry {
    const entry = this.entries.get(key(service, table));
    if (!entry) throw new ApiError('NOT_FOUND', `Table "${table}" does not exist in service "${service}".`);
    return entry;
  }

  table(service: string, table: string): TableModel {
    return this.entry(service, table).table;
  }

  /** The table at the far end of a relation. */
  target(relation: RelationModel): TableEntry {
    return this.entry(relation.refService, relation.refTable);
  }
}

function key(service: string, table: string): string {
  return `${service}\u0000${table}`;
}
