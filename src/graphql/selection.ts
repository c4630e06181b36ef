// GraphQL field nodes → the sub-fields they select, grouped by response key, with fragments expanded and
// @skip/@include applied (what graphql-js does internally, which it does not export in v16).
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getDirectiveValues,
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

export type FieldGroups = Map<string, FieldNode[]>;

export function subFields(
  nodes: readonly FieldNode[],
  info: Pick<GraphQLResolveInfo, 'fragments' | 'variableValues'>,
): FieldGroups {
  const groups: FieldGroups = new Map();
  for (const node of nodes) if (node.selectionSet) collect(node.selectionSet, info, groups, new Set());
  return groups;
}

function collect(
  set: SelectionSetNode,
  info: Pick<GraphQLResolveInfo, 'fragments' | 'variableValues'>,
  groups: FieldGroups,
  visited: Set<string>,
): void {
  for (const selection of set.selections) {
    if (!included(selection, info.variableValues)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const list = groups.get(key);
      if (list) list.push(selection);
      else groups.set(key, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, info, groups, visited);
    } else {
      const name = selection.name.value;
      const fragment = info.fragments[name];
      if (fragment && !visited.has(name)) {
        visited.add(name);
        collect(fragment.selectionSet, info, groups, visited);
      }
    }
  }
}

function included(
  node: Parameters<typeof getDirectiveValues>[1],
  variables: Record<string, unknown>,
): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}
