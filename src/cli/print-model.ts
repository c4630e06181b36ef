// `junction print-model [service…]`: the model as people read it (or as JSON), from a fresh cache when
// there is one. Writes nothing.
import { SourceRegistry } from '../adapters/source.js';
import { ApiError } from '../errors/index.js';
import { printModel } from '../model/print-model.js';
import { readModel, resolveConfig, stderr, type ConfigFlags } from './context.js';

export interface PrintModelFlags extends ConfigFlags {
  relationsOnly?: boolean;
  json?: boolean;
}

export async function printModelCommand(services: string[], flags: PrintModelFlags): Promise<void> {
  const { config } = await resolveConfig(flags, stderr);
  const unknown = services.filter((name) => !config.services.some((s) => s.name === name));
  if (unknown.length > 0) {
    const configured = config.services.map((s) => s.name).join(', ');
    throw new ApiError('NOT_FOUND', `unknown service '${unknown.join("', '")}' (configured: ${configured})`);
  }
  const sources = new SourceRegistry(config.services);
  try {
    const model = await readModel(config, sources);
    if (flags.json) {
      const chosen = model.services.filter((s) => services.length === 0 || services.includes(s.name));
      console.log(JSON.stringify({ services: chosen }, null, 2));
    } else {
      process.stdout.write(printModel(model, { services, relationsOnly: flags.relationsOnly ?? false }));
    }
  } finally {
    await sources.closeAll();
  }
}
