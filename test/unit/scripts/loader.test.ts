// Script modules on disk → their default export: .ts and .mjs alike, read anew on every load (an edited file
// gives the new code), and a CONFIG_INVALID naming the module for anything that cannot be a script.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/errors/index.js';
import { forgetLoadedModules, loadModule } from '../../../src/scripts/loader.js';
import { tempDir } from '../../integration/support/graphql.js';

const folder = tempDir('junction-loader-');
const scripts = join(folder.dir, 'scripts');
mkdirSync(scripts);
const write = (name: string, text: string) => writeFileSync(join(scripts, name), text);
afterAll(() => folder.remove());

async function refusal(name: string): Promise<ApiError> {
  try {
    await loadModule(scripts, name);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`expected ${name} to be refused`);
}

describe('loadModule', () => {
  it('loads a TypeScript module: its default export and its other exports', async () => {
    write(
      'typed.ts',
      'interface Event { name: string }\n' +
        'export const openapi = { paths: {} };\n' +
        'export default (event: Event): string => `seen ${event.name}`;\n',
    );
    const loaded = await loadModule(scripts, 'typed.ts');
    expect(loaded.name).toBe('typed.ts');
    expect(loaded.run({ name: 'x' })).toBe('seen x');
    expect(loaded.exports.openapi).toEqual({ paths: {} });
  });

  it('loads an ES module in JavaScript', async () => {
    write('plain.mjs', 'export default async function (event) { return event.name.toUpperCase(); }\n');
    const loaded = await loadModule(scripts, 'plain.mjs');
    expect(await loaded.run({ name: 'abc' })).toBe('ABC');
  });

  it('loads a module in a subfolder', async () => {
    mkdirSync(join(scripts, 'hr'), { recursive: true });
    write('hr/nested.ts', 'export default () => "nested";\n');
    expect((await loadModule(scripts, 'hr/nested.ts')).run()).toBe('nested');
  });

  it('gives the new code when a changed file is loaded again', async () => {
    write('changing.ts', 'export default () => 1;\n');
    expect((await loadModule(scripts, 'changing.ts')).run()).toBe(1);
    write('changing.ts', 'export default () => 2;\n');
    expect((await loadModule(scripts, 'changing.ts')).run()).toBe(2);
  });

  it('refuses a module that is not there, naming it and the folder', async () => {
    const error = await refusal('missing.ts');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`script missing.ts: no such file in ${scripts}`);
  });

  it('refuses a path that leaves the scripts folder, even to a file that exists', async () => {
    writeFileSync(join(folder.dir, 'outside.ts'), 'export default () => "escaped";\n');
    for (const name of ['../outside.ts', join(folder.dir, 'outside.ts'), 'hr/../../outside.ts']) {
      const error = await refusal(name);
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toBe(`script ${name}: must be inside the scripts folder ${scripts}`);
    }
  });

  it('refuses a module without a default export, or whose default export is not a function', async () => {
    write('named-only.ts', 'export function hook() {}\n');
    write('object-default.mjs', 'export default { hook() {} };\n');
    for (const name of ['named-only.ts', 'object-default.mjs']) {
      const error = await refusal(name);
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toBe(`script ${name}: its default export must be a function`);
    }
  });

  it('refuses a module with a syntax error, naming the module', async () => {
    write('broken.ts', 'export default function (event {\n  return event;\n');
    const error = await refusal('broken.ts');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^script broken\.ts: could not be loaded: /);
    expect(error.message).not.toContain('\n');
  });

  it('refuses a module that throws while it loads, naming the module and the error', async () => {
    write('throws.ts', 'throw new Error("no database url set");\nexport default () => 1;\n');
    const error = await refusal('throws.ts');
    expect(error.message).toBe('script throws.ts: could not be loaded: no database url set');
  });
});

describe('loadModule, more', () => {
  it('gives the new code of a helper the script imports once the folder is forgotten (as a reload does)', async () => {
    // No package.json says "type": "module" here: the .ts files are CommonJS, their imports require()s.
    write('helper.ts', 'export const word = "old";\n');
    write('uses-helper.ts', 'import { word } from "./helper";\nexport default () => word;\n');
    expect((await loadModule(scripts, 'uses-helper.ts')).run()).toBe('old');
    write('helper.ts', 'export const word = "new";\n');
    forgetLoadedModules(scripts);
    expect((await loadModule(scripts, 'uses-helper.ts')).run()).toBe('new');
  });

  it('loads a .js module written as an ES module', async () => {
    write('plain.js', 'export default (event) => event.name + "!";\n');
    expect((await loadModule(scripts, 'plain.js')).run({ name: 'hi' })).toBe('hi!');
  });

  it('loads a .mts module', async () => {
    write('typed.mts', 'export default (n: number): number => n * 2;\n');
    expect((await loadModule(scripts, 'typed.mts')).run(21)).toBe(42);
  });
});
