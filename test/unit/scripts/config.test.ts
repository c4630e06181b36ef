// The config's scripts section → ScriptsConfig (defaults, per-script limits, the folder against the config's
// directory), and the exact `path: message` lines for scripts an operator got wrong.
import { describe, expect, it } from 'vitest';
import { scriptsOf, NO_SCRIPTS } from '../../../src/config/scripts-schema.js';
import { parse, problems, sqlite } from '../config/helpers.js';

const withScripts = (scripts: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  services: [sqlite()],
  ...extra,
  scripts,
});
const admin = { name: 'admin', access: [{ service: '*', verbs: ['GET'] }] };

describe('scripts defaults and normalisation', () => {
  it('has no scripts, a ./scripts folder next to the config and a 5 s limit when the section is left out', () => {
    expect(parse({ services: [sqlite()] }).scripts).toEqual({
      dir: '/etc/junction/scripts',
      timeoutMs: 5000,
      settings: {},
      events: [],
      services: [],
    });
  });

  it('is empty for a config built in code without the section', () => {
    expect(scriptsOf({})).toBe(NO_SCRIPTS);
  });

  it('resolves the folder against the config file, and keeps an absolute one', () => {
    expect(parse(withScripts({ dir: 'hooks' })).scripts?.dir).toBe('/etc/junction/hooks');
    expect(parse(withScripts({ dir: '../shared/hooks' })).scripts?.dir).toBe('/etc/shared/hooks');
    expect(parse(withScripts({ dir: '/opt/hooks' })).scripts?.dir).toBe('/opt/hooks');
  });

  it("gives a script without its own limit (or a 0) the section's, and keeps one that has its own", () => {
    const scripts = parse(
      withScripts(
        {
          timeoutMs: '750',
          events: [
            { event: 'chinook._table.Album.get.pre_process', module: 'a.ts' },
            { event: 'chinook._table.Album.get.post_process', module: 'b.mjs', timeoutMs: 0 },
            { event: 'chinook._table.Album.post.post_process', module: 'c.js', timeoutMs: 20, role: 'admin' },
          ],
          services: [
            { name: 'staff', module: 'staff.ts' },
            { name: 'slow', module: 'slow.mts', timeoutMs: 60_000, label: 'Slow', description: 'Takes time' },
          ],
          settings: { target: 'archive', fields: ['a', 'b'] },
        },
        { auth: { roles: [admin] } },
      ),
    ).scripts;
    expect(scripts).toEqual({
      dir: '/etc/junction/scripts',
      timeoutMs: 750,
      settings: { target: 'archive', fields: ['a', 'b'] },
      events: [
        { event: 'chinook._table.Album.get.pre_process', module: 'a.ts', timeoutMs: 750, role: null },
        { event: 'chinook._table.Album.get.post_process', module: 'b.mjs', timeoutMs: 750, role: null },
        { event: 'chinook._table.Album.post.post_process', module: 'c.js', timeoutMs: 20, role: 'admin' },
      ],
      services: [
        { name: 'staff', module: 'staff.ts', label: null, description: null, timeoutMs: 750, role: null },
        {
          name: 'slow',
          module: 'slow.mts',
          label: 'Slow',
          description: 'Takes time',
          timeoutMs: 60_000,
          role: null,
        },
      ],
    });
  });

  it('accepts placeholders, * and every verb in event names', () => {
    const names = [
      'chinook._table.{table_name}.get.pre_process',
      '*._table.Album.*.post_process',
      'chinook._table.dbo.Album.delete.post_process',
      'chinook._proc.refresh.post.pre_process',
    ];
    const scripts = parse(withScripts({ events: names.map((event) => ({ event, module: 'a.ts' })) })).scripts;
    expect(scripts?.events.map((e) => e.event)).toEqual(names);
  });
});

describe('scripts problems', () => {
  it('refuses a scripted service named like a database service', () => {
    expect(problems(withScripts({ services: [{ name: 'chinook', module: 'a.ts' }] }))).toEqual([
      "scripts.services[0].name: 'chinook' is already a service or a reserved name",
    ]);
  });

  it('refuses the reserved names api_docs, user and system', () => {
    const services = ['api_docs', 'user', 'system'].map((name) => ({ name, module: 'a.ts' }));
    expect(problems(withScripts({ services }))).toEqual([
      "scripts.services[0].name: 'api_docs' is already a service or a reserved name",
      "scripts.services[1].name: 'user' is already a service or a reserved name",
      "scripts.services[2].name: 'system' is already a service or a reserved name",
    ]);
  });

  it('refuses two scripted services with one name', () => {
    const services = [
      { name: 'staff', module: 'a.ts' },
      { name: 'staff', module: 'b.ts' },
    ];
    expect(problems(withScripts({ services }))).toEqual([
      "scripts.services[1].name: 'staff' is already a service or a reserved name",
    ]);
  });

  it('refuses a role that auth.roles does not define, on events and services alike', () => {
    const scripts = {
      events: [{ event: 'chinook._table.Album.get.pre_process', module: 'a.ts', role: 'root' }],
      services: [{ name: 'staff', module: 'a.ts', role: 'admn' }],
    };
    expect(problems(withScripts(scripts, { auth: { roles: [admin] } }))).toEqual([
      "scripts.events[0].role: no role 'root' in auth.roles",
      "scripts.services[0].role: no role 'admn' in auth.roles",
    ]);
  });

  it('refuses an event name without a verb and phase, with a wrong phase, or with a space', () => {
    const events = [
      'chinook._table.Album',
      'chinook._table.Album.get.before',
      'chinook._table.Album.fetch.pre_process',
      'chinook._table.Album Art.get.pre_process',
    ].map((event) => ({ event, module: 'a.ts' }));
    const expected =
      'expected {service}._table.{table}.{verb}.pre_process or .post_process (verb: get, post, put, patch, delete or *)';
    expect(problems(withScripts({ events }))).toEqual(
      [0, 1, 2, 3].map((i) => `scripts.events[${i}].event: ${expected}`),
    );
  });

  it('refuses a module that is not a .ts, .mts, .js or .mjs file', () => {
    const events = ['hook.py', 'hook', 'hook.ts.bak'].map((module) => ({
      event: 'chinook._table.Album.get.pre_process',
      module,
    }));
    expect(problems(withScripts({ events }))).toEqual(
      [0, 1, 2].map((i) => `scripts.events[${i}].module: expected a .ts, .mts, .js or .mjs file`),
    );
  });

  it('refuses an upper-case service name, unknown keys and a limit out of range', () => {
    expect(
      problems(
        withScripts({
          timeoutMs: 0,
          services: [{ name: 'Staff', module: 'a.ts', path: '/x' }],
          events: [{ event: 'chinook._table.Album.get.pre_process', module: 'a.ts', timeoutMs: 600_001 }],
        }),
      ),
    ).toEqual([
      'scripts.events[0].timeoutMs: must be at most 600000',
      'scripts.services[0].name: must be lowercase: a letter, then letters, digits, _ or -',
      'scripts.services[0].path: unknown key (expected one of name, module, label, description, timeoutMs, role)',
      'scripts.timeoutMs: must be at least 1',
    ]);
  });
});
