// `junction print-schema [--out file]`: the GraphQL SDL of the whole model (what an open server or an admin
// sees), for code generators and reviews. Reads the model like print-model (a fresh cache when there is one);
// runs no query.
import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { SourceRegistry } from '../adapters/source.js';
import { buildGraphqlSchema } from '../graphql/schema.js';
import { ModelIndex } from '../model/model-index.js';
import { readModel, resolveConfig, stderr, type ConfigFlags } from './context.js';

export interface PrintSchemaFlags extends ConfigFlags {
  out?: string;
}

export async function printSchemaCommand(flags: PrintSchemaFlags): Promise<void> {
  const { config } = await resolveConfig(flags, stderr);
  const sources = new SourceRegistry(config.services);
  try {
    const model = await readModel(config, sources);
    const sdl = `${printSchema(buildGraphqlSchema(new ModelIndex(model), (name) => sources.get(name).data))}\n`;
    if (flags.out) {
      writeFileSync(flags.out, sdl);
      stderr(`wrote ${flags.out}`);
    } else {
      process.stdout.write(sdl);
    }
  } finally {
    await sources.closeAll();
  }
}
