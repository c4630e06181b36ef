// The loaded scripts of a server: which run for an operation and phase (in config order), a reload that
// reads edited modules anew, and a failed reload that keeps the running scripts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventScriptConfig, ScriptsConfig } from '../../../src/config/types.js';
import { ApiErrorList } from '../../../src/errors/index.js';
import { createLogger } from '../../../src/observability/logger.js';
import { ScriptHost } from '../../../src/scripts/host.js';
import { tempDir } from '../../integration/support/graphql.js';

const folder = tempDir('junction-host-');
afterAll(() => folder.remove());
const write = (name: string, text: string) => writeFileSync(join(folder.dir, name), text);
const logged: string[] = [];
const logger = createLogger({ level: 'info', format: 'text' }, (line) => logged.push(line));

const event = (name: string, module: string): EventScriptConfig => ({
  event: name,
  module,
  timeoutMs: 1000,
  role: null,
});
const config = (events: EventScriptConfig[]): ScriptsConfig => ({
  dir: folder.dir,
  timeoutMs: 1000,
  settings: {},
  events,
  services: [],
});

describe('ScriptHost', () => {
  write('first.ts', 'export default () => "first";\n');
  write('second.ts', 'export default () => "second";\n');
  write('every.ts', 'export default () => "every";\n');

  it('gives the scripts of an operation and phase in config order, and none to other operations', async () => {
    const host = new ScriptHost(
      config([
        event('music._table.{table}.*.pre_process', 'every.ts'),
        event('music._table.Album.get.pre_process', 'first.ts'),
        event('music._table.Album.get.post_process', 'second.ts'),
      ]),
      [],
      logger,
    );
    await host.ready();
    const names = (operation: string, phase: 'pre_process' | 'post_process') =>
      host.scriptsFor(operation, phase).map((s) => s.module.name);
    expect(names('music._table.Album.get', 'pre_process')).toEqual(['every.ts', 'first.ts']);
    expect(names('music._table.album.GET', 'pre_process')).toEqual(['every.ts', 'first.ts']);
    expect(names('music._table.Album.get', 'post_process')).toEqual(['second.ts']);
    expect(names('music._table.Track.delete', 'pre_process')).toEqual(['every.ts']);
    expect(names('other._table.Album.get', 'pre_process')).toEqual([]);
  });

  it('refuses to start with every module that failed, each named', async () => {
    const host = new ScriptHost(
      config([event('a.b.get.pre_process', 'gone.ts'), event('a.b.get.post_process', 'also-gone.ts')]),
      [],
      logger,
    );
    const error = await host.ready().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiErrorList);
    expect((error as ApiErrorList).errors.map((e) => e.message)).toEqual([
      `script gone.ts: no such file in ${folder.dir}`,
      `script also-gone.ts: no such file in ${folder.dir}`,
    ]);
  });

  it('runs the edited module after a reload, and keeps the running one when a reload fails', async () => {
    write('edited.ts', 'export default () => "v1";\n');
    const host = new ScriptHost(
      config([event('music._table.Album.get.pre_process', 'edited.ts')]),
      [],
      logger,
    );
    await host.ready();
    const current = () => host.scriptsFor('music._table.Album.get', 'pre_process')[0]?.module.run();
    expect(current()).toBe('v1');

    write('edited.ts', 'export default () => "v2";\n');
    await host.reload();
    expect(current()).toBe('v2');

    write('edited.ts', 'export default () => {\n');
    await expect(host.reload()).rejects.toThrow(/script edited\.ts: could not be loaded/);
    expect(current()).toBe('v2');
    // The server awaits ready() before serving: a failed reload must not make it fail.
    await expect(host.ready()).resolves.toBeUndefined();
  });
});
