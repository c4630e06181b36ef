// The `scripts` section: event scripts (DreamFactory's pre_process/post_process hooks) and scripted services,
// both TypeScript/JavaScript modules in one folder. zod checks each value and fills the defaults;
// normaliseScripts resolves the folder against the config file; scriptsOf gives what src/scripts reads.
import { resolve } from 'node:path';
import { z } from 'zod';
import type { ApiError } from '../errors/index.js';
import { problem } from './problem.js';
import { integerSetting } from './integer-setting.js';
import type { JunctionConfig, ScriptsConfig } from './types.js';

/** `{service}.{resource…}.{verb}.{pre_process|post_process}`; `*` and `{…}` placeholders match any one segment. */
const EVENT_NAME =
  /^[A-Za-z0-9_*{}$-]+(\.[A-Za-z0-9_*{}$-]+)*\.(get|post|put|patch|delete|\*)\.(pre_process|post_process)$/;
const SERVICE_NAME = /^[a-z][a-z0-9_-]*$/;
const MODULE = /^[^\0]+\.(ts|mts|js|mjs)$/;

const timeout = (fallback: number, min: number, description: string) =>
  integerSetting(fallback, min, 600_000, description);

const moduleSchema = z
  .string()
  .regex(MODULE, 'expected a .ts, .mts, .js or .mjs file')
  .describe('Module file, relative to scripts.dir.');

const roleSchema = z
  .string()
  .min(1)
  .optional()
  .describe(
    "Role the script's platform.api calls run as. Default: the caller's own role (its principal). Must be a role of auth.roles.",
  );

const eventSchema = z
  .strictObject({
    event: z
      .string()
      .regex(
        EVENT_NAME,
        'expected {service}._table.{table}.{verb}.pre_process or .post_process (verb: get, post, put, patch, delete or *)',
      )
      .describe(
        'DreamFactory event name, e.g. chinook._table.Album.get.post_process. A segment {table_name} (any text in braces) or * matches any one segment.',
      ),
    module: moduleSchema,
    timeoutMs: timeout(0, 0, 'Time limit of this script; 0 takes scripts.timeoutMs.'),
    role: roleSchema,
  })
  .describe('One event script: a module whose default export runs when the event fires.');

const scriptedServiceSchema = z
  .strictObject({
    name: z
      .string()
      .max(64, 'must be at most 64 characters')
      .regex(SERVICE_NAME, 'must be lowercase: a letter, then letters, digits, _ or -')
      .describe('REST path segment: the module answers /api/v2/{name}/….'),
    module: moduleSchema,
    label: z.string().optional(),
    description: z.string().optional(),
    timeoutMs: timeout(0, 0, 'Time limit of one request; 0 takes scripts.timeoutMs.'),
    role: roleSchema,
  })
  .describe('A scripted service: custom endpoints answered by a module.');

export const scriptsSchema = z
  .strictObject({
    dir: z
      .string()
      .min(1)
      .default('./scripts')
      .describe("Folder of the script modules, relative to this file's directory. Default ./scripts."),
    timeoutMs: timeout(
      5000,
      1,
      'Time limit of one script run (an event script, or one request of a scripted service); past it the request fails with 504 SCRIPT_TIMEOUT and its transaction rolls back.',
    ),
    settings: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('Values scripts read as platform.config (use ${VAR} for secrets).'),
    events: z.array(eventSchema).default([]).describe('Event scripts, run in this order for one event.'),
    services: z.array(scriptedServiceSchema).default([]).describe('Scripted services.'),
  })
  .describe(
    'Event scripts and scripted services: trusted operator code, run inside the Junction process with its rights.',
  );

export type ScriptsFile = z.output<typeof scriptsSchema>;

export function normaliseScripts(file: ScriptsFile, baseDir: string): ScriptsConfig {
  const or = (value: number) => (value > 0 ? value : file.timeoutMs);
  return {
    dir: resolve(baseDir, file.dir),
    timeoutMs: file.timeoutMs,
    settings: file.settings,
    events: file.events.map((e) => ({
      event: e.event,
      module: e.module,
      timeoutMs: or(e.timeoutMs),
      role: e.role ?? null,
    })),
    services: file.services.map((s) => ({
      name: s.name,
      module: s.module,
      label: s.label ?? null,
      description: s.description ?? null,
      timeoutMs: or(s.timeoutMs),
      role: s.role ?? null,
    })),
  };
}

export const NO_SCRIPTS: ScriptsConfig = {
  dir: '',
  timeoutMs: 5000,
  settings: {},
  events: [],
  services: [],
};

export function scriptsOf(config: Pick<JunctionConfig, 'scripts'>): ScriptsConfig {
  return config.scripts ?? NO_SCRIPTS;
}

/** Names that are not services: a scripted service cannot take them. */
const RESERVED = new Set(['api_docs', 'user', 'system', '_admin']);

/**
 * Rules zod cannot check on one value: a scripted service's name is free (no database service, no reserved
 * path), each `role` is a configured role. Reads the raw document so they run even when zod fails.
 */
export function checkScripts(document: Record<string, unknown>): ApiError[] {
  const scripts = record(document.scripts);
  if (!scripts) return [];
  const errors: ApiError[] = [];
  const taken = new Set(
    (Array.isArray(document.services) ? document.services : []).map((s: unknown) => record(s)?.name),
  );
  const auth = record(document.auth);
  const roles = new Set((Array.isArray(auth?.roles) ? auth.roles : []).map((r: unknown) => record(r)?.name));
  const checkRole = (entry: Record<string, unknown>, at: PropertyKey[]) => {
    if (typeof entry.role === 'string' && !roles.has(entry.role))
      errors.push(problem([...at, 'role'], `no role '${entry.role}' in auth.roles`));
  };
  const services = Array.isArray(scripts.services) ? scripts.services : [];
  services.forEach((value: unknown, i) => {
    const entry = record(value);
    if (!entry) return;
    const at = ['scripts', 'services', i];
    if (typeof entry.name === 'string') {
      if (taken.has(entry.name) || RESERVED.has(entry.name))
        errors.push(problem([...at, 'name'], `'${entry.name}' is already a service or a reserved name`));
      taken.add(entry.name);
    }
    checkRole(entry, at);
  });
  const events = Array.isArray(scripts.events) ? scripts.events : [];
  events.forEach((value: unknown, i) => {
    const entry = record(value);
    if (entry) checkRole(entry, ['scripts', 'events', i]);
  });
  return errors;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
