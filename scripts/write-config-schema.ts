// zod config schema (src/config/schema.ts) → schema/junction.schema.json, the editor schema.
// Run `npx tsx scripts/write-config-schema.ts` after changing the schema; a unit test fails until you do.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { configJsonSchema } from '../src/config/schema.js';

export const CONFIG_SCHEMA_FILE = fileURLToPath(new URL('../schema/junction.schema.json', import.meta.url));

/** The file's exact text: formatted by prettier so `prettier --check .` and the staleness test agree. */
export async function renderConfigSchema(): Promise<string> {
  const options = await resolveConfig(CONFIG_SCHEMA_FILE);
  return format(JSON.stringify(configJsonSchema()), { ...options, filepath: CONFIG_SCHEMA_FILE });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(CONFIG_SCHEMA_FILE, await renderConfigSchema());
  console.log(`wrote ${CONFIG_SCHEMA_FILE}`);
}
