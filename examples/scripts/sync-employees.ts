// Classic example 1: synchronise records from one database to another. A post_process script on the source's
// `employees` reads: whatever a client reads there is copied into the target service's table — inserted
// when new, updated when it changed. Config:
//
//   scripts:
//     settings: { syncTarget: archive, syncTable: employees, syncKey: EmployeeId,
//                 syncFields: [EmployeeId, FirstName, LastName, Email] }   # optional: columns to copy
//     events:
//       - event: hr._table.employees.get.post_process
//         module: sync-employees.ts
//         role: sync          # optional: write to the target with this role instead of the caller's
import type { Platform, ScriptEvent } from '../../src/scripts/types.js';

type Record_ = Record<string, unknown>;

export default async function syncEmployees(event: ScriptEvent, platform: Platform): Promise<void> {
  const target = String(platform.config.syncTarget ?? 'archive');
  const table = String(platform.config.syncTable ?? event.table);
  const key = String(platform.config.syncKey ?? 'EmployeeId');
  const content = event.response?.content as { resource?: Record_[] } | Record_ | null;
  // A list answers {resource:[…]}; a single record (`_table/employees/5`) answers the record itself.
  const records = Array.isArray((content as { resource?: unknown })?.resource)
    ? ((content as { resource: Record_[] }).resource ?? [])
    : content && key in content
      ? [content as Record_]
      : [];
  const fields = Array.isArray(platform.config.syncFields) ? platform.config.syncFields.map(String) : null;
  const pick = (r: Record_): Record_ =>
    fields ? Object.fromEntries(fields.filter((f) => f in r).map((f) => [f, r[f]])) : { ...r };
  const complete = records.filter((r) => r[key] !== undefined && r[key] !== null).map(pick);
  if (complete.length === 0) return;
  const ids = complete.map((r) => Number(r[key])).filter(Number.isInteger);
  const existing = await platform.api.get(`${target}/_table/${table}`, {
    params: { filter: `${key} in (${ids.join(',')})`, fields: key },
  });
  const known = new Set(
    ((existing.content as { resource: Record_[] }).resource ?? []).map((r) => Number(r[key])),
  );
  const fresh = complete.filter((r) => !known.has(Number(r[key])));
  const changed = complete.filter((r) => known.has(Number(r[key])));
  if (fresh.length > 0) await platform.api.post(`${target}/_table/${table}`, { resource: fresh });
  if (changed.length > 0) await platform.api.patch(`${target}/_table/${table}`, { resource: changed });
  platform.log.info(`copied ${fresh.length} new and ${changed.length} known ${table} to ${target}`);
}
