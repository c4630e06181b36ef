// DreamFactory's naming (dreamfactory-compat.md §7.2, §8.2): labels, plurals and relation names.
import pluralize from 'pluralize';
import type { RelationType } from './types.js';

/** `first_name` → `First Name`; `AlbumId` stays `AlbumId`. */
export function dfLabel(name: string): string {
  return name
    .split(/[_-]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

export function dfPlural(label: string): string {
  return pluralize.plural(label);
}

export interface RelationNameParts {
  type: RelationType;
  fields: string[];
  refService: string;
  refTable: string;
  refFields: string[];
  junctionService: string | null;
  junctionTable: string | null;
}

/**
 * belongs_to: `{ref_table}_by_{field}`; has_one/has_many: `{ref_table}_by_{ref_field}`; many_many:
 * `{ref_table}_by_{junction_table}`. Another service's tables are prefixed with that service's name.
 */
export function dfRelationName(parts: RelationNameParts, ownService: string): string {
  const target = qualify(parts.refService, parts.refTable, ownService);
  switch (parts.type) {
    case 'belongs_to':
      return `${target}_by_${parts.fields.join('_')}`;
    case 'has_one':
    case 'has_many':
      return `${target}_by_${parts.refFields.join('_')}`;
    case 'many_many':
      return `${target}_by_${qualify(parts.junctionService ?? ownService, parts.junctionTable ?? '', ownService)}`;
  }
}

function qualify(service: string, table: string, ownService: string): string {
  return service === ownService ? table : `${service}.${table}`;
}
