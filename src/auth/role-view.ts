// DataModel + role → the part of the model the role may use: tables it can read, without their hidden
// columns, relations only to tables it can also read, and for each table the verbs it may write. The
// GraphQL schema of a role is built from this view, so forbidden tables and columns do not exist in it.
// Routines stay only where the role may call them with the verb their GraphQL field needs.
import type { DataModel, RelationModel, RoutineModel, TableModel } from '../model/types.js';
import { tableComponent } from './authorize.js';
import { allowedVerbs, matchingEntries } from './roles.js';
import type { AccessVerb, RoleConfig } from './types.js';

const WRITE_VERBS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const satisfies readonly AccessVerb[];

/** DreamFactory's component of a routine: `_proc/{name}` or `_func/{name}`. */
export function routineComponent(routine: Pick<RoutineModel, 'kind' | 'name'>): string {
  return `${routine.kind === 'procedure' ? '_proc' : '_func'}/${routine.name}`;
}

/** The verb a GraphQL call needs: GET for a read-only function (a query field), POST for the rest (mutations). */
export function routineCallVerb(routine: Pick<RoutineModel, 'kind' | 'readOnly'>): AccessVerb {
  return routine.kind === 'function' && routine.readOnly ? 'GET' : 'POST';
}

export function roleView(model: DataModel, role: RoleConfig): DataModel {
  const readable = new Set<string>();
  for (const service of model.services) {
    for (const table of service.tables) {
      if (allowedVerbs(role, service.name, tableComponent(table.name)).has('GET'))
        readable.add(`${service.name}\u0000${table.name}`);
    }
  }
  const visible = (service: string, table: string) => readable.has(`${service}\u0000${table}`);
  const keeps = (relation: RelationModel) =>
    visible(relation.refService, relation.refTable) &&
    (!relation.junction || visible(relation.junction.service, relation.junction.table));
  const callable = (service: string, routine: RoutineModel) =>
    allowedVerbs(role, service, routineComponent(routine)).has(routineCallVerb(routine));
  return {
    // A service without one readable table or callable routine disappears from the role's schema altogether.
    services: model.services
      .filter(
        (service) =>
          service.tables.some((t) => visible(service.name, t.name)) ||
          service.routines.some((r) => callable(service.name, r)),
      )
      .map((service) => ({
        ...service,
        routines: service.routines.filter((r) => callable(service.name, r)),
        tables: service.tables
          .filter((table) => visible(service.name, table.name))
          .map((table): TableModel => {
            const component = tableComponent(table.name);
            const verbs = allowedVerbs(role, service.name, component);
            const hidden = hiddenFor(role, service.name, component);
            return {
              ...table,
              fields: table.fields.filter((f) => !hidden.has(f.name.toLowerCase())),
              relations: table.relations.filter(
                (r) => keeps(r) && !r.fields.some((f) => hidden.has(f.toLowerCase())),
              ),
              writableVerbs: WRITE_VERBS.filter((v) => verbs.has(v)),
            };
          }),
      })),
  };
}

function hiddenFor(role: RoleConfig, service: string, component: string): Set<string> {
  const entries = matchingEntries(role, service, component).filter((e) => e.verbs.includes('GET'));
  return new Set(entries.flatMap((e) => e.hiddenFields.map((f) => f.toLowerCase())));
}
