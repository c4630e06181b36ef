// `junction serve`: load config and model (from the schema cache when it matches), then listen. SIGHUP
// reloads the model; SIGINT/SIGTERM stop accepting requests and let those in flight finish.
import { ApiError } from '../errors/index.js';
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
  // Checked before the model is loaded: a typo in --port must not cost an introspection first.
  const port = flags.port === undefined ? config.server.port : parsePort(flags.port);
  const cacheMode = flags.cache === false ? 'off' : flags.frozenCache ? 'frozen' : config.schemaCache.mode;
  const { runtime, loaded } = await Runtime.start(config, { cacheMode, onProgress: stderr });
  for (const warning of loaded.warnings) stderr(`warning: ${warning}`);
  if (config.auth.apps.length === 0) {
    stderr(
      'warning: no apps are configured, so access control is off: anyone who can reach this port can read and change every table (see README: Access control)',
    );
  }
  const server = createJunctionServer(runtime, stderr);
  const host = flags.host ?? config.server.host;
  let address;
  try {
    address = await server.listen(port, host);
  } catch (error) {
    await runtime.close();
    throw listenError(error, host, port);
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

function parsePort(text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) > 65535) {
    throw new ApiError('CONFIG_INVALID', 'must be a whole number from 0 to 65535 (0 picks a free port)', {
      path: '--port',
    });
  }
  return Number(text);
}

/** The operating system's refusal to listen, in words an operator can act on. */
function listenError(error: unknown, host: string, port: number): unknown {
  const where = `${host}:${port}`;
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return new ApiError(
        'CONFIG_INVALID',
        `cannot listen on ${where}: the port is already in use; stop the other process or choose another port (--port or server.port)`,
        { cause: error },
      );
    case 'EACCES':
      return new ApiError(
        'CONFIG_INVALID',
        `cannot listen on ${where}: permission denied; ports below 1024 need privileges, choose another port`,
        { cause: error },
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new ApiError(
        'CONFIG_INVALID',
        `cannot listen on ${where}: ${host} is not an address of this machine; fix --host or server.host`,
        { cause: error },
      );
    default:
      return error;
  }
}
