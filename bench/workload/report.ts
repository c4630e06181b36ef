// The run's figures → markdown tables (query × target, then the ratios against the targets of the issue:
// Junction against PostGraphile and the baseline, Junction REST against Junction GraphQL) and the files
// bench/results/graphql-workload-<date>.{json,md} (the JSON has the ratios too).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadPoint } from './load.js';
import { QUERIES, type QueryId } from './queries.js';
import type { StatementFigures } from './verify.js';

export const VS_POSTGRAPHILE = 1.25;
export const VS_BASELINE = 0.5;
/** Junction REST ÷ Junction GraphQL, same queries and data (issue: REST within 15 % of GraphQL). */
export const REST_VS_GRAPHQL = 0.85;

export interface QueryResult {
  c1?: LoadPoint;
  c32?: LoadPoint;
  statements?: StatementFigures;
  error?: string;
}

export interface TargetResult {
  target: string;
  notRun?: string;
  /** 1-minute load average of the machine when the load runs began and ended (other jobs share it). */
  loadAverage?: [number, number];
  queries: Partial<Record<QueryId, QueryResult>>;
}

/** Per query, at c=32 (req/s and their ratios; absent when a side did not run). */
export interface QueryRatios {
  junction?: number;
  bestPostgraphile?: { target: string; rps: number };
  baseline?: number;
  junctionRest?: number;
  /** Junction ÷ best PostGraphile, goal VS_POSTGRAPHILE. */
  junctionVsPostgraphile?: number;
  /** Junction ÷ baseline, goal VS_BASELINE. */
  junctionVsBaseline?: number;
  /** Junction REST ÷ Junction GraphQL, goal REST_VS_GRAPHQL. */
  restVsGraphql?: number;
}

export interface DatasetResult {
  dataset: string;
  database: string;
  tracks: number;
  targets: TargetResult[];
  /** Filled by save(). */
  ratios?: Partial<Record<QueryId, QueryRatios>>;
}

export interface RunResult {
  date: string;
  machine: { cores: number; node: string; postgres: string };
  secondsPerPoint: number;
  queries: QueryId[];
  statementsMethod: string;
  /** The ratio goals of the issue, filled by save(). */
  goals?: { junctionVsPostgraphile: number; junctionVsBaseline: number; restVsGraphql: number };
  datasets: DatasetResult[];
}

const num = (n: number | undefined, digits = 0) => (n === undefined ? '–' : n.toFixed(digits));
/** autocannon's percentiles are whole milliseconds: no invented decimals. */
const ms = (n: number | undefined) =>
  n === undefined ? '–' : Number.isInteger(n) ? String(n) : n.toFixed(1);
const oneLine = (s: string) => s.split('\n')[0]!.slice(0, 160);

function statements(target: string, s: StatementFigures | undefined): string {
  if (!s) return '–';
  const show = (n: number) => String(Math.round(n * 100) / 100);
  let text = s.header !== null ? show(s.header) : show(s.wire);
  if (s.header !== null && s.header !== s.wire) text += ` (wire ${show(s.wire)})`;
  if (s.control > 0) text += ` + ${show(s.control)} tx/set`;
  if (target === 'baseline') text += ' (1 by construction)';
  return text;
}

export function resultsTable(dataset: DatasetResult, ids: QueryId[]): string {
  const lines = [
    '| query | target | req/s c=1 | req/s c=32 | p50 ms c=32 | p99 ms c=32 | SQL statements/request |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const query of QUERIES.filter((q) => ids.includes(q.id))) {
    for (const target of dataset.targets) {
      const label = `${query.id} ${query.what}`;
      if (target.notRun) {
        lines.push(`| ${label} | ${target.target} | not run: ${oneLine(target.notRun)} | | | | |`);
        continue;
      }
      const r = target.queries[query.id];
      if (!r || r.error) {
        lines.push(`| ${label} | ${target.target} | not run: ${oneLine(r?.error ?? 'no figures')} | | | | |`);
        continue;
      }
      const failed = (p?: LoadPoint) => (p && p.failures > 0 ? ` (${p.failures} failed)` : '');
      lines.push(
        `| ${label} | ${target.target} | ${num(r.c1?.rps)}${failed(r.c1)} | ${num(r.c32?.rps)}${failed(r.c32)} | ` +
          `${ms(r.c32?.p50)} | ${ms(r.c32?.p99)} | ${statements(target.target, r.statements)} |`,
      );
    }
  }
  return lines.join('\n');
}

function rps(dataset: DatasetResult, name: string, id: QueryId): number | undefined {
  const target = dataset.targets.find((t) => t.target === name);
  const r = target?.notRun ? undefined : target?.queries[id];
  return r?.error ? undefined : r?.c32?.rps;
}

function verdict(ratio: number | undefined, goal: number): string {
  if (ratio === undefined) return 'n/a';
  if (ratio >= goal) return `${ratio.toFixed(2)} met`;
  return `${ratio.toFixed(2)} missed (${Math.round((1 - ratio / goal) * 100)} % short)`;
}

export function ratiosFor(dataset: DatasetResult, id: QueryId): QueryRatios {
  const junction = rps(dataset, 'Junction', id);
  const best = ['PostGraphile v4', 'PostGraphile v5']
    .map((target) => ({ target, rps: rps(dataset, target, id) }))
    .filter((p): p is { target: string; rps: number } => p.rps !== undefined)
    .sort((x, y) => y.rps - x.rps)[0];
  const baseline = rps(dataset, 'baseline', id);
  const junctionRest = rps(dataset, 'Junction REST', id);
  const ratio = (a?: number, b?: number) => (a !== undefined && b ? a / b : undefined);
  return {
    junction,
    bestPostgraphile: best,
    baseline,
    junctionRest,
    junctionVsPostgraphile: ratio(junction, best?.rps),
    junctionVsBaseline: ratio(junction, baseline),
    restVsGraphql: ratio(junctionRest, junction),
  };
}

export function ratiosTable(dataset: DatasetResult, ids: QueryId[]): string {
  const lines = [
    `| query | Junction req/s | best PostGraphile req/s | Junction / PostGraphile (≥ ${VS_POSTGRAPHILE}) | baseline req/s | Junction / baseline (≥ ${VS_BASELINE}) | Junction REST req/s | REST / GraphQL (≥ ${REST_VS_GRAPHQL}) |`,
    '| --- | ---: | ---: | --- | ---: | --- | ---: | --- |',
  ];
  for (const query of QUERIES.filter((q) => ids.includes(q.id))) {
    const r = ratiosFor(dataset, query.id);
    const best = r.bestPostgraphile;
    lines.push(
      `| ${query.id} | ${num(r.junction)} | ${best ? `${num(best.rps)} (${best.target.replace('PostGraphile ', '')})` : '–'} | ` +
        `${verdict(r.junctionVsPostgraphile, VS_POSTGRAPHILE)} | ${num(r.baseline)} | ` +
        `${verdict(r.junctionVsBaseline, VS_BASELINE)} | ${num(r.junctionRest)} | ` +
        `${verdict(r.restVsGraphql, REST_VS_GRAPHQL)} |`,
    );
  }
  return lines.join('\n');
}

export function markdown(run: RunResult): string {
  const parts = [
    `# GraphQL workload — ${run.date}`,
    '',
    `Machine: ${run.machine.cores} cores, Node ${run.machine.node}, ${run.machine.postgres}. ` +
      `${run.secondsPerPoint} s per point (autocannon, loopback, one target at a time). ` +
      `Statements: ${run.statementsMethod}`,
  ];
  for (const dataset of run.datasets) {
    parts.push(
      '',
      `## Chinook ${dataset.dataset} (${dataset.tracks} tracks)`,
      '',
      resultsTable(dataset, run.queries),
    );
    const loads = dataset.targets
      .filter((t) => t.loadAverage)
      .map((t) => `${t.target} ${t.loadAverage![0].toFixed(1)}→${t.loadAverage![1].toFixed(1)}`);
    if (loads.length)
      parts.push('', `Machine load average (1 min) over each target's load runs: ${loads.join(', ')}.`);
    parts.push('', 'Ratios at c=32 (req/s):', '', ratiosTable(dataset, run.queries));
  }
  return parts.join('\n') + '\n';
}

export function save(root: string, run: RunResult, stamp: string): string {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `graphql-workload-${stamp}`);
  run.goals = {
    junctionVsPostgraphile: VS_POSTGRAPHILE,
    junctionVsBaseline: VS_BASELINE,
    restVsGraphql: REST_VS_GRAPHQL,
  };
  for (const dataset of run.datasets) {
    dataset.ratios = Object.fromEntries(run.queries.map((id) => [id, ratiosFor(dataset, id)]));
  }
  writeFileSync(`${base}.json`, JSON.stringify(run, null, 2) + '\n');
  writeFileSync(`${base}.md`, markdown(run));
  return base;
}
