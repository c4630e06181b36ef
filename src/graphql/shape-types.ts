// MongoDB sub-documents with one consistent shape → GraphQL object types (`review { author { name } }`), named
// after the table type and the field path (`ReviewAuthor`, `ReviewAuthorAddress`). Their values are plain JSON
// objects, so GraphQL's default resolvers read them; a sub-document without a shape stays a JSON scalar.
import type { FieldModel, ShapeField } from '../model/types.js';
import { scalarOf } from './type-map.js';

const pascal = (name: string): string =>
  name
    .split(/_+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('') || 'Field';

/** The GraphQL output type of a column: its object type when it has a shape, else its scalar. */
export function outputType(tableType: string, field: FieldModel): string {
  return field.shape ? `${tableType}${pascal(field.graphqlName)}` : scalarOf(field);
}

/** The object types a table's shaped columns need, nested ones included. */
export function shapeTypeDefs(tableType: string, fields: FieldModel[]): string[] {
  return fields.flatMap((field) =>
    field.shape ? objectTypes(`${tableType}${pascal(field.graphqlName)}`, field.shape, field.name) : [],
  );
}

function objectTypes(name: string, shape: ShapeField[], path: string): string[] {
  const lines = shape.map((f) => `  ${f.name}: ${f.shape ? `${name}${pascal(f.name)}` : scalarOf(f)}`);
  const nested = shape.flatMap((f) =>
    f.shape ? objectTypes(`${name}${pascal(f.name)}`, f.shape, `${path}.${f.name}`) : [],
  );
  return [`"The sub-document ${path}."\ntype ${name} {\n${lines.join('\n')}\n}`, ...nested];
}
