// `junction serve`: load config and model (from the schema cache when it matches), then listen. With more
// than one worker (--workers, server.workers, default one per core) a cluster primary (cluster.ts) forks
// workers that each run startServing(); with one, everything runs in this process and nothing is forked.
// SIGHUP reloads the model; SIGINT/SIGTERM stop accepting, let requests in flight finish (drain.ts), close
// the pools and exit 0.
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { createJunctionServer, type JunctionServer } from '../http/server.js';
import { observabilityOf } from '../config/observability-schema.js';
import { createLogger } from '../observability/logger.js';
import type { JunctionConfig } from '../config/types.js';
import type { LoadedModel } from '../runtime/load-model.js';
import { Runtime } from '../runtime/runtime.js';
import { servePrimary } from './cluster.js';
import { serveWorker } from './cluster-worker.js';
import { resolveConfig, stderr, type ConfigFlags } from './context.js';
import { trackRequests, type Drainer } from './drain.js';
import {
  listenError,
  parsePort,
  servingLine,
  shutdownTimeoutOf,
  startupWarnings,
  workerCount,
} from './serve-parts.js';

export interface ServeFlags extends ConfigFlags {
  host?: string;
  port?: string;
  workers?: string;
  frozenCache?: boolean;
  cache?: boolean;
}

export interface ServeOptions {
  config: JunctionConfig;
  host: string;
  port: number;
  cacheMode: JunctionConfig['schemaCache']['mode'];
}

export interface Serving {
  runtime: Runtime;
  server: JunctionServer;
  loaded: LoadedModel;
  address: AddressInfo;
  drainer: Drainer;
}

export async function serve(flags: ServeFlags): Promise<void> {
  // A worker runs the same command line; it serves in its own process and reports to the primary.
  if (cluster.isWorker) return serveWorker(await serveOptions(flags, () => {}));
  const started = Date.now();
  const options = await serveOptions(flags, stderr);
  const workers = workerCount(flags.workers, options.config);
  if (workers > 1) return servePrimary(options, workers, started);

  const serving = await startServing(options, stderr);
  for (const warning of startupWarnings(options.config, serving.loaded, 1)) stderr(warning);
  stderr(servingLine(serving.loaded, serving.address, Date.now() - started, 1));

  process.on('SIGHUP', () => {
    stderr('junction: SIGHUP: reloading the model');
    serving.runtime.reload(stderr).then(
      (next) => stderr(`junction: model reloaded (version ${next.version})`),
      (error: Error) => stderr(`junction: reload failed, still serving the previous model: ${error.message}`),
    );
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void stopServing(serving, options.config, signal, stderr);
  };
  // `on`, not `once`: a second Ctrl-C must not fall back to the default action and cut the drain short.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function serveOptions(flags: ServeFlags, log: (message: string) => void): Promise<ServeOptions> {
  const { config } = await resolveConfig(flags, log);
  // Checked before the model is loaded: a typo in --port must not cost an introspection first.
  const port = flags.port === undefined ? config.server.port : parsePort(flags.port);
  if (flags.workers !== undefined) workerCount(flags.workers, config);
  const cacheMode = flags.cache === false ? 'off' : flags.frozenCache ? 'frozen' : config.schemaCache.mode;
  return { config, port, host: flags.host ?? config.server.host, cacheMode };
}

/** Loads the model and listens: the whole start of one serving process (in-process, or one worker). */
export async function startServing(
  options: ServeOptions,
  onProgress: (message: string) => void,
): Promise<Serving> {
  const { config, host, port, cacheMode } = options;
  const { runtime, loaded } = await Runtime.start(config, { cacheMode, onProgress });
  // Server logs are JSON lines on stderr (observability.logs); the CLI's own lines above and below stay text.
  const server = createJunctionServer(runtime, {
    logger: createLogger(observabilityOf(config).logs),
  });
  const drainer = trackRequests(server.http);
  try {
    const address = await server.listen(port, host);
    return { runtime, server, loaded, address, drainer };
  } catch (error) {
    await runtime.close();
    throw listenError(error, host, port);
  }
}

/**
 * Stops accepting, waits for requests in flight (at most server.shutdownTimeoutMs, then cuts them), closes
 * the pools and exits 0. A second signal while stopping changes nothing.
 */
export async function stopServing(
  serving: Serving,
  config: JunctionConfig,
  signal: string,
  log: (message: string) => void,
  announce = true,
): Promise<void> {
  const timeoutMs = shutdownTimeoutOf(config);
  if (announce)
    log(`junction: ${signal}: finishing requests in flight (at most ${timeoutMs} ms), then stopping`);
  // The last resort if a pool or client never finishes closing: the process must not hang on a stop.
  setTimeout(() => {
    log('junction: still not stopped 10 s after the drain deadline; exiting');
    process.exit(1);
  }, timeoutMs + 10_000).unref();
  const { cut } = await serving.drainer.drain(timeoutMs);
  if (cut > 0) log(`junction: closed ${cut} request(s) still running after ${timeoutMs} ms`);
  await serving.server.close();
  await serving.runtime.close();
  // Explicit: a timer or socket some library forgot to unref must not keep a stopped server alive.
  process.exit(0);
}
