// `junction introspect [service…]`: read the databases again and write schema-cache/<service>.json.
import { SourceRegistry } from '../adapters/source.js';
import { ApiError } from '../errors/index.js';
import { loadModel } from '../runtime/load-model.js';
import { resolveConfig, stderr, type ConfigFlags } from './context.js';

export async function introspect(services: string[], flags: ConfigFlags): Promise<void> {
  const { config } = await resolveConfig(flags, stderr);
  for (const name of services) {
    if (!config.services.some((s) => s.name === name)) {
      throw new ApiError(
        'NOT_FOUND',
        `unknown service '${name}' (configured: ${config.services.map((s) => s.name).join(', ')})`,
      );
    }
  }
  const sources = new SourceRegistry(config.services);
  try {
    // Services not named keep their fresh cache; virtual keys may span them, so the model is built whole.
    const wanted = new Set(services.length > 0 ? services : config.services.map((s) => s.name));
    const loaded = await loadModel(config, (name) => sources.get(name), {
      cacheMode: 'refresh',
      only: wanted,
      onProgress: stderr,
    });
    for (const warning of loaded.warnings) stderr(`warning: ${warning}`);
    for (const file of loaded.written) console.log(`wrote ${file}`);
  } finally {
    await sources.closeAll();
  }
}
