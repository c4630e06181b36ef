// ServiceModel.routines → GraphQL fields and types. Functions that cannot change data become fields of the
// service's query namespace (`{ chinook { albumCount(artist: 1) } }`); procedures and volatile functions
// become root mutation fields named like the table mutations (`chinook_invoiceTotal(cust: 4)`). One plan
// per index says which field and which types each routine gets, so the SDL and the resolvers agree.
import { routineCallVerb } from '../auth/role-view.js';
import type { ModelIndex } from '../model/model-index.js';
import { uniqueName } from '../model/graphql-names.js';
import type { ParamModel, ReturnColumnModel, RoutineModel, ServiceModel } from '../model/types.js';
import { aggregateField, connectionField, groupByField, typeNames } from './names.js';
import { mutationNames } from './mutation-sdl.js';
import { scalarOf } from './type-map.js';

/** What a function hands back, as GraphQL sees it. */
export type RoutineOutput =
  /** A scalar function's value. */
  | { kind: 'scalar'; type: string }
  /** One row of known columns (a function with OUT parameters, or RETURNS a composite). */
  | { kind: 'row'; columns: ReturnColumnModel[] }
  /** Rows of a set-returning function; columns empty when the database does not say. */
  | { kind: 'rows'; columns: ReturnColumnModel[] }
  /** Anything else (a record, an unknown type): JSON. */
  | { kind: 'json' }
  /** A procedure, or a function returning void. */
  | { kind: 'none' };

export interface RoutineField {
  service: ServiceModel;
  routine: RoutineModel;
  /** `query`: a field of the service namespace (verb GET); `mutation`: a root mutation field (verb POST). */
  root: 'query' | 'mutation';
  field: string;
  output: RoutineOutput;
  /** The generated row type (`ChinookCustomerInvoicesRow`), when the rows' columns are known. */
  rowType: string | null;
  /** The mutation's result type (`ChinookInvoiceTotalResult`); null for query fields. */
  resultType: string | null;
  /** IN and INOUT parameters, in position order: the field's arguments. */
  inputs: ParamModel[];
  /** OUT and INOUT parameters with their field name in the result type. */
  outputs: { param: ParamModel; field: string }[];
}

/** A result type's own fields (`resultSets`, `value`, `rows`); an OUT parameter of the same name gets a number. */
function resultFields(output: RoutineOutput): string[] {
  if (output.kind === 'rows') return ['resultSets', 'rows'];
  return output.kind === 'none' ? ['resultSets'] : ['resultSets', 'value'];
}

const upper = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** Read-only functions are query fields (verb GET); procedures and volatile functions mutations (POST). */
export function isQueryRoutine(routine: RoutineModel): boolean {
  return routineCallVerb(routine) === 'GET';
}

export function routineOutput(routine: RoutineModel): RoutineOutput {
  if (routine.kind === 'procedure') return { kind: 'none' };
  if (routine.returnsSet) return { kind: 'rows', columns: routine.returnColumns };
  if (routine.returnColumns.length > 0) return { kind: 'row', columns: routine.returnColumns };
  if (routine.returnType)
    return {
      kind: 'scalar',
      type: scalarOf({ type: routine.returnType, dbType: routine.returnDbType ?? '' }),
    };
  if (/^void$/i.test(routine.returnDbType ?? '')) return { kind: 'none' };
  return { kind: 'json' };
}

const plans = new WeakMap<ModelIndex, RoutineField[]>();

/** Every routine field of the schema built from `index`, services in order, routines in model order. */
export function routineFields(index: ModelIndex): RoutineField[] {
  let plan = plans.get(index);
  if (!plan) plans.set(index, (plan = buildPlan(index)));
  return plan;
}

function buildPlan(index: ModelIndex): RoutineField[] {
  // Names the table part of the schema already uses: a routine never takes one (it gets a number instead).
  const types = new Set<string>();
  const mutations = new Set<string>();
  for (const service of index.model.services) {
    for (const table of service.tables) {
      types.add(table.graphql.type);
      for (const value of Object.values(typeNames(table.graphql.type)))
        if (typeof value === 'string') types.add(value);
      // Every verb's names, so a role that lacks some verbs does not see routines renamed.
      const all = mutationNames(service, { ...table, writableVerbs: undefined });
      for (const name of Object.values(all)) if (name) mutations.add(name);
    }
  }
  const out: RoutineField[] = [];
  for (const service of index.model.services) {
    const namespace = new Set<string>(['_empty']);
    for (const table of service.tables) {
      const list = table.graphql.list;
      for (const name of [list, connectionField(list), aggregateField(list), groupByField(list)])
        namespace.add(name);
      if (table.graphql.byKey) namespace.add(table.graphql.byKey);
    }
    const prefix = upper(service.graphqlName);
    for (const routine of service.routines) {
      const root = isQueryRoutine(routine) ? 'query' : 'mutation';
      const field =
        root === 'query'
          ? uniqueName(routine.graphqlName, namespace)
          : uniqueName(`${service.graphqlName}_${routine.graphqlName}`, mutations);
      const output = routineOutput(routine);
      const base = `${prefix}${upper(routine.graphqlName)}`;
      const typed = (output.kind === 'rows' || output.kind === 'row') && output.columns.length > 0;
      const rowType = typed ? uniqueName(`${base}Row`, types) : null;
      const resultType = root === 'mutation' ? uniqueName(`${base}Result`, types) : null;
      const taken = new Set(resultFields(output));
      out.push({
        service,
        routine,
        root,
        field,
        output,
        rowType,
        resultType,
        inputs: routine.params.filter((p) => p.mode !== 'OUT'),
        outputs: routine.params
          .filter((p) => p.mode !== 'IN')
          .map((param) => ({ param, field: uniqueName(param.graphqlName, taken) })),
      });
    }
  }
  return out;
}

function describe(text: string): string {
  // Block strings take text as is: only a quote triple needs escaping, and a closing quote a space after it.
  return `"""${text.replace(/"""/g, '\\"""').replace(/"$/, '" ')}"""`;
}

function argumentList(plan: RoutineField): string {
  if (plan.inputs.length === 0) return '';
  const args = plan.inputs.map((p) => {
    const doc = `${p.mode} ${p.name} ${p.dbType}${p.default === null ? '' : `, default ${p.default}`}`;
    return `${describe(doc)} ${p.graphqlName}: ${scalarOf(p)}`;
  });
  return `(${args.join(', ')})`;
}

function rowsType(plan: RoutineField): string {
  return plan.rowType ? `[${plan.rowType}!]!` : '[JSON!]!';
}

function routineDoc(plan: RoutineField): string {
  const { routine, service } = plan;
  const what =
    routine.kind === 'procedure'
      ? `Calls procedure ${routine.name}`
      : `Calls ${routine.readOnly ? '' : 'volatile '}function ${routine.name}${routine.returnDbType ? ` (returns ${routine.returnDbType})` : ''}`;
  const text = `${routine.description ? `${routine.description}\n\n` : ''}${what} of service ${service.name}. Arguments left out take the parameter's default (NULL where it has none).`;
  return `  ${describe(text)}\n`;
}

/** The query namespace lines of a service's read-only functions. */
export function routineQueryFields(index: ModelIndex, service: ServiceModel): string[] {
  return routineFields(index)
    .filter((plan) => plan.service === service && plan.root === 'query')
    .map((plan) => {
      const { output } = plan;
      const type =
        output.kind === 'scalar'
          ? output.type
          : output.kind === 'rows'
            ? rowsType(plan)
            : output.kind === 'row' && plan.rowType
              ? plan.rowType
              : 'JSON';
      return `${routineDoc(plan)}  ${plan.field}${argumentList(plan)}: ${type}`;
    });
}

/** The Mutation lines of procedures and volatile functions (every service). */
export function routineMutationFields(index: ModelIndex): string[] {
  return routineFields(index)
    .filter((plan) => plan.root === 'mutation')
    .map((plan) => `${routineDoc(plan)}  ${plan.field}${argumentList(plan)}: ${plan.resultType as string}!`);
}

/** Row and result types of every routine field. */
export function routineTypeDefs(index: ModelIndex): string[] {
  const out: string[] = [];
  for (const plan of routineFields(index)) {
    const { output, routine } = plan;
    if (plan.rowType && (output.kind === 'rows' || output.kind === 'row')) {
      const lines = output.columns.map(
        (c) => `  ${describe(`${c.name} ${c.dbType}`)}\n  ${c.graphqlName}: ${scalarOf(c)}`,
      );
      out.push(`"A row returned by ${routine.name}."\ntype ${plan.rowType} {\n${lines.join('\n')}\n}`);
    }
    if (plan.resultType) {
      const lines = plan.outputs.map(
        ({ param, field }) =>
          `  ${describe(`${param.mode} parameter ${param.name} ${param.dbType}`)}\n  ${field}: ${scalarOf(param)}`,
      );
      if (output.kind === 'scalar') lines.push(`  "The function's value."\n  value: ${output.type}`);
      if (output.kind === 'row') lines.push(`  "The function's value."\n  value: ${plan.rowType ?? 'JSON'}`);
      if (output.kind === 'json') lines.push(`  "The function's value."\n  value: JSON`);
      if (output.kind === 'rows')
        lines.push(`  "The rows the function returned."\n  rows: ${rowsType(plan)}`);
      lines.push(
        `  "Every result set the call produced, in order; each row an object keyed by the database's column names."\n  resultSets: [[JSON!]!]!`,
      );
      out.push(
        `"What ${routine.kind} ${routine.name} gave back."\ntype ${plan.resultType} {\n${lines.join('\n')}\n}`,
      );
    }
  }
  return out;
}
