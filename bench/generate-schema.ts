// Seed → DDL for a realistic PostgreSQL schema of N tables and a few views, as a handful of big SQL batches.
// Deterministic: the same seed always gives the same statements, so figures from two runs compare.
// Mix: identity primary keys, some composite primary keys, junction tables, 1–3 foreign keys per table to
// earlier tables (a few composite), unique constraints, indexes (incl. partial and expression ones), comments.
import { prng } from '../scripts/prng.js';

export interface GeneratedSchema {
  /** Statements grouped into batches, each batch sent as one multi-statement query. */
  batches: string[];
  tables: number;
  views: number;
  columns: number;
  foreignKeys: number;
  compositeForeignKeys: number;
  junctionTables: number;
  compositePrimaryKeys: number;
  uniqueConstraints: number;
  indexes: number;
  comments: number;
}

type Kind = 'plain' | 'composite' | 'junction';

interface Table {
  name: string;
  noun: string;
  kind: Kind;
  /** Primary key columns with their SQL types (for foreign keys that point here). */
  pk: { name: string; type: string }[];
  /** Ordinary (non-key) columns, for views. */
  data: { name: string; type: string }[];
  /** Foreign keys to single-column primary keys: local column and target table. */
  singleFks: { column: string; target: Table }[];
}

const NOUNS = [
  'customer', 'account', 'invoice', 'order', 'product', 'supplier', 'warehouse', 'shipment', 'employee',
  'department', 'project', 'task', 'ticket', 'asset', 'contract', 'payment', 'region', 'store', 'category',
  'review', 'campaign', 'lead', 'vendor', 'device', 'sensor', 'reading', 'event', 'session', 'document',
  'folder', 'tag', 'note', 'budget', 'ledger', 'policy', 'claim', 'patient', 'visit', 'course', 'lesson',
]; // prettier-ignore

/** Column name stems per SQL type; a table takes each name at most once. */
const COLUMN_TYPES: { type: (r: () => number) => string; names: string[] }[] = [
  { type: () => 'integer', names: ['quantity', 'rank', 'score', 'priority', 'attempts', 'position'] },
  { type: () => 'bigint', names: ['external_ref', 'bytes_used', 'views', 'sequence_no'] },
  { type: () => 'numeric(10,2)', names: ['amount', 'price', 'balance', 'tax', 'discount', 'weight'] },
  {
    type: (r) => `varchar(${[20, 40, 80, 120, 255][Math.floor(r() * 5)]})`,
    names: ['name', 'code', 'email', 'title', 'status', 'sku', 'phone', 'city', 'label'],
  },
  { type: () => 'text', names: ['description', 'notes', 'body', 'address', 'summary'] },
  { type: () => 'timestamptz', names: ['created_at', 'updated_at', 'due_at', 'closed_at', 'seen_at'] },
  { type: () => 'boolean', names: ['is_active', 'archived', 'verified', 'is_public'] },
  { type: () => 'jsonb', names: ['metadata', 'settings', 'payload', 'attributes'] },
  { type: () => 'uuid', names: ['public_id', 'token', 'correlation_id'] },
];

const DEFAULTS: Record<string, string> = {
  created_at: 'now()',
  updated_at: 'now()',
  is_active: 'true',
  archived: 'false',
  verified: 'false',
  public_id: 'gen_random_uuid()',
  metadata: `'{}'::jsonb`,
  quantity: '0',
  status: `'new'`,
};

export function generateSchema(options: { tables: number; views: number; seed: number }): GeneratedSchema {
  const r = prng(options.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  const chance = (p: number) => r() < p;

  const stats = {
    columns: 0,
    foreignKeys: 0,
    compositeForeignKeys: 0,
    junctionTables: 0,
    compositePrimaryKeys: 0,
    uniqueConstraints: 0,
    indexes: 0,
    comments: 0,
  };
  const tables: Table[] = [];
  const createStatements: string[] = [];
  const extraStatements: string[] = []; // indexes and comments, after all tables exist

  for (let i = 1; i <= options.tables; i++) {
    const plain = tables.filter((t) => t.kind === 'plain');
    const composite = tables.filter((t) => t.kind === 'composite');
    const kind: Kind =
      plain.length >= 4 && chance(0.1)
        ? 'junction'
        : plain.length >= 2 && chance(0.08)
          ? 'composite'
          : 'plain';
    const noun = pick(NOUNS);
    const name = `${noun}_${String(i).padStart(3, '0')}`;
    const used = new Set<string>();
    const unique = (stem: string) => {
      let candidate = stem;
      for (let n = 2; used.has(candidate); n++) candidate = `${stem}_${n}`;
      used.add(candidate);
      return candidate;
    };
    const table: Table = { name, noun, kind, pk: [], data: [], singleFks: [] };
    const lines: string[] = [];
    const constraints: string[] = [];
    const fkColumns: string[][] = [];

    const addFk = (target: Table, notNull: boolean, role = '') => {
      const columns = target.pk.map((key) => ({
        name: unique(`${role}${target.noun}_${key.name === 'id' ? 'id' : key.name}`),
        type: key.type,
      }));
      for (const c of columns) lines.push(`${c.name} ${c.type}${notNull ? ' not null' : ''}`);
      const action = notNull ? pick(['', '', ' on delete cascade']) : pick(['', ' on delete set null']);
      constraints.push(
        `constraint ${name}_${columns[0]!.name}_fkey foreign key (${columns.map((c) => c.name).join(', ')}) ` +
          `references ${target.name} (${target.pk.map((k) => k.name).join(', ')})${action}`,
      );
      stats.foreignKeys++;
      if (columns.length > 1) stats.compositeForeignKeys++;
      else table.singleFks.push({ column: columns[0]!.name, target });
      fkColumns.push(columns.map((c) => c.name));
      return columns;
    };

    let dataColumns: number;
    if (kind === 'junction') {
      // Two foreign keys that together are the primary key, plus a little payload.
      const a = pick(plain);
      let b = pick(plain);
      while (b === a) b = pick(plain);
      const left = addFk(a, true);
      const right = addFk(b, true);
      constraints.unshift(`primary key (${left[0]!.name}, ${right[0]!.name})`);
      table.pk = [...left, ...right];
      stats.junctionTables++;
      stats.compositePrimaryKeys++;
      dataColumns = int(1, 3);
    } else if (kind === 'composite') {
      // Order lines and the like: (parent id, line number).
      const parent = addFk(pick(plain), true, 'parent_');
      lines.push('line_no integer not null');
      used.add('line_no');
      constraints.unshift(`primary key (${parent[0]!.name}, line_no)`);
      table.pk = [parent[0]!, { name: 'line_no', type: 'integer' }];
      stats.compositePrimaryKeys++;
      dataColumns = int(1, 8);
    } else {
      const type = pick(['integer', 'bigint', 'bigint']);
      const mode = pick(['always', 'by default']);
      lines.push(`id ${type} generated ${mode} as identity primary key`);
      used.add('id');
      table.pk = [{ name: 'id', type }];
      // 1–3 foreign keys to earlier tables; now and then a composite one to a composite-key table.
      const fkCount = tables.length === 0 ? 0 : int(1, 3);
      for (let k = 0; k < fkCount; k++) {
        if (composite.length > 0 && chance(0.08)) addFk(pick(composite), chance(0.5));
        else if (plain.length > 0) addFk(pick(plain), chance(0.6));
      }
      dataColumns = int(Math.max(1, 3 - lines.length), Math.max(2, 12 - lines.length));
    }

    for (let c = 0; c < dataColumns; c++) {
      const spec = pick(COLUMN_TYPES);
      const column = unique(pick(spec.names));
      const type = spec.type(r);
      const dflt = DEFAULTS[column] !== undefined && chance(0.7) ? ` default ${DEFAULTS[column]}` : '';
      lines.push(`${column} ${type}${chance(0.4) ? ' not null' : ''}${dflt}`);
      table.data.push({ name: column, type });
      if (chance(0.05)) {
        extraStatements.push(`comment on column ${name}.${column} is 'The ${column.replace(/_/g, ' ')}.'`);
        stats.comments++;
      }
    }
    stats.columns += lines.length;

    // Unique constraints: natural keys on code/email/sku/uuid columns, now and then a composite one.
    const naturalKey = table.data.find((d) => /^(code|email|sku|public_id|token)/.test(d.name));
    if (naturalKey && chance(0.7)) {
      constraints.push(`constraint ${name}_${naturalKey.name}_key unique (${naturalKey.name})`);
      stats.uniqueConstraints++;
    }
    if (kind === 'plain' && table.data.length >= 2 && chance(0.1)) {
      const [x, y] = table.data;
      constraints.push(`constraint ${name}_${x!.name}_${y!.name}_key unique (${x!.name}, ${y!.name})`);
      stats.uniqueConstraints++;
    }

    createStatements.push(`create table ${name} (\n  ${[...lines, ...constraints].join(',\n  ')}\n)`);

    // Indexes: most foreign keys (not those leading a primary key), some data columns, a few special ones.
    for (const columns of fkColumns) {
      if (table.pk[0]?.name === columns[0] || !chance(0.7)) continue;
      extraStatements.push(`create index ${name}_${columns[0]}_idx on ${name} (${columns.join(', ')})`);
      stats.indexes++;
    }
    const indexable = table.data.filter((d) => !/jsonb|text/.test(d.type));
    if (indexable.length > 0 && chance(0.3)) {
      const d = pick(indexable);
      const partial = chance(0.2) ? ` where ${d.name} is not null` : '';
      extraStatements.push(`create index ${name}_${d.name}_idx on ${name} (${d.name})${partial}`);
      stats.indexes++;
    }
    const text = table.data.find((d) => d.type.startsWith('varchar') && d.name !== naturalKey?.name);
    if (text && chance(0.05)) {
      extraStatements.push(`create index ${name}_lower_${text.name}_idx on ${name} (lower(${text.name}))`);
      stats.indexes++;
    }
    if (chance(0.2)) {
      extraStatements.push(`comment on table ${name} is 'One ${noun} (generated table ${i}).'`);
      stats.comments++;
    }
    tables.push(table);
  }

  // Views: a table joined to one of its parents, or a filtered subset of one table.
  const viewStatements: string[] = [];
  const withParent = tables.filter((t) => t.singleFks.length > 0 && t.data.length > 0);
  for (let v = 1; v <= options.views; v++) {
    const child = pick(withParent);
    const fk = pick(child.singleFks);
    const childCols = child.data.slice(0, 3).map((d) => `c.${d.name}`);
    const parentCols = fk.target.data.slice(0, 2).map((d) => `p.${d.name} as ${fk.target.noun}_${d.name}`);
    const key = child.pk.map((k) => `c.${k.name}`);
    const flag = child.data.find((d) => d.type === 'boolean');
    const select = [...new Set([...key, ...childCols])].join(', ');
    viewStatements.push(
      v % 3 === 0 && flag
        ? `create view ${child.noun}_report_${v} as select ${select} from ${child.name} c where c.${flag.name}`
        : `create view ${child.noun}_report_${v} as select ${[select, ...parentCols].join(', ')} ` +
            `from ${child.name} c join ${fk.target.name} p on p.${fk.target.pk[0]!.name} = c.${fk.column}`,
    );
    if (v % 4 === 0) {
      viewStatements.push(`comment on view ${child.noun}_report_${v} is 'Report ${v}.'`);
      stats.comments++;
    }
  }

  const half = Math.ceil(createStatements.length / 2);
  const batch = (statements: string[]) => statements.map((s) => `${s};`).join('\n');
  return {
    batches: [
      batch(createStatements.slice(0, half)),
      batch(createStatements.slice(half)),
      batch(extraStatements),
      batch(viewStatements),
    ],
    tables: tables.length,
    views: options.views,
    ...stats,
  };
}
