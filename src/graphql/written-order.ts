// An argument's value with object keys in the order the client wrote them. graphql-js rebuilds input objects
// in the order their type declares its fields, which loses the meaning of `orderBy: { genreId: ASC, name: DESC }`;
// so orderBy is read from the query text (or the raw JSON variables) instead, after graphql-js validated it.
import { Kind, type FieldNode, type GraphQLResolveInfo, type ValueNode } from 'graphql';

export interface RawVariables {
  /** The request's variables as the client sent them (JSON key order kept). */
  rawVariables?: Record<string, unknown> | null;
}

type Info = Pick<GraphQLResolveInfo, 'variableValues'> & RawVariables;

export function writtenArgument(
  node: FieldNode | undefined,
  name: string,
  info: Info,
  coerced: unknown,
): unknown {
  const arg = node?.arguments?.find((a) => a.name.value === name);
  if (!arg) return coerced;
  return valueOf(arg.value, info);
}

function valueOf(value: ValueNode, info: Info): unknown {
  switch (value.kind) {
    case Kind.VARIABLE: {
      const raw = info.rawVariables?.[value.name.value];
      return raw !== undefined ? raw : info.variableValues[value.name.value];
    }
    case Kind.LIST:
      return value.values.map((v) => valueOf(v, info));
    case Kind.OBJECT:
      return Object.fromEntries(value.fields.map((f) => [f.name.value, valueOf(f.value, info)]));
    case Kind.NULL:
      return null;
    case Kind.ENUM:
    case Kind.STRING:
    case Kind.BOOLEAN:
      return value.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(value.value);
  }
}
