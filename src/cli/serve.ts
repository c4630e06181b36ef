// `junction serve`: load config and model (from the schema cache when it matches), then listen. SIGHUP
// reloads the model; SIGINT/SIGTERM stop accepting requests and let those in flight finish.
import { createJunctionServer } from '../http/server.js';
import { Runtime } from '../runtime/runtime.js';
import { resolveConfig, stderr, type ConfigFlags } from './context.js';

export interface ServeFlags extends ConfigFlags {
  host?: string;
  port?: string;
  frozenCache?: boolean;
  cache?: boolean;
}

export async function serve(flags: ServeFlags): Promise<void> {
  const started = Date.now();
  const { config } = await resolveConfig(flags, stderr);
  const cacheMode = flags.cache === false ? 'off' : flags.frozenCache ? 'frozen' : config.schemaCache.mode;
  const { runtime, loaded } = await Runtime.start(config, { cacheMode, onProgress: stderr });
  for (const warning of loaded.warnings) stderr(`warning: ${warning}`);
  const server = createJunctionServer(runtime, stderr);
  const port = flags.port === undefined ? config.server.port : Number(flags.port);
  const host = flags.host ?? config.server.host;
  let address;
  try {
    address = await server.listen(port, host);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const origins = [...loaded.origins].map(
    ([name, origin]) => `${name} (${origin === 'cache' ? 'from cache' : 'introspected'})`,
  );
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  stderr(
    `junction: serving ${origins.join(', ')} at ${url} — GraphQL ${url}/graphql, model ${url}/_model (ready in ${Date.now() - started} ms)`,
  );

  process.on('SIGHUP', () => {
    stderr('junction: SIGHUP: reloading the model');
    runtime.reload(stderr).then(
      (next) => stderr(`junction: model reloaded (version ${next.version})`),
      (error: Error) => stderr(`junction: reload failed, still serving the previous model: ${error.message}`),
    );
  });
  const stop = (signal: string) => {
    stderr(`junction: ${signal}: finishing requests in flight, then stopping`);
    void server.close().then(() => runtime.close());
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
