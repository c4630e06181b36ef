// The primary of `junction serve --workers N` (node:cluster). It loads and checks the config and the model
// once (writing the schema cache, so workers start from it), forks N workers that share the port, restarts
// a worker that dies (with a back-off; it gives up on a crash loop), turns SIGHUP into a reload of every
// worker, passes SIGTERM/SIGINT on for a graceful stop and exits when the workers are done.
import cluster, { type Worker } from 'node:cluster';
import type { Address } from 'node:cluster';
import { Runtime } from '../runtime/runtime.js';
import { isWorkerMessage, type WorkerMessage } from './cluster-messages.js';
import { stderr } from './context.js';
import { probeListen, servingLine, shutdownTimeoutOf, startupWarnings } from './serve-parts.js';
import type { ServeOptions } from './serve.js';

/** A worker that dies this many times within CRASH_WINDOW_MS is not restarted again: the primary stops. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;

/**
 * When to start a worker again after a death: 0.5 s, doubling with each death in the last minute (at most
 * 10 s), and never after the 6th death within a minute — a crash loop would only burn CPU and fill logs.
 */
export class RestartPolicy {
  private readonly deaths: number[] = [];

  /** Records a death at `now`; the delay before the next fork, or null to give up. */
  death(now: number): { delayMs: number | null; recent: number } {
    this.deaths.push(now);
    while (this.deaths.length > 0 && this.deaths[0]! <= now - CRASH_WINDOW_MS) this.deaths.shift();
    const recent = this.deaths.length;
    if (recent > MAX_CRASHES) return { delayMs: null, recent };
    return { delayMs: Math.min(FIRST_BACKOFF_MS * 2 ** (recent - 1), MAX_BACKOFF_MS), recent };
  }
}

export async function servePrimary(options: ServeOptions, workers: number, started: number): Promise<void> {
  const { config, host, port, cacheMode } = options;
  // A taken port is reported once, before anything is forked.
  if (port !== 0) await probeListen(host, port);
  const { runtime, loaded } = await Runtime.start(config, { cacheMode, onProgress: stderr });
  // Workers load their own model (from the cache just written): the primary keeps no pools open.
  await runtime.close();
  for (const warning of startupWarnings(config, loaded, workers)) stderr(warning);

  // Workers run this same command line; the demo's resolved config path spares them the demo set-up.
  const env = config.source === null ? {} : { JUNCTION_CONFIG: config.source };
  const live = new Map<number, Worker>();
  const restarts = new RestartPolicy();
  let up = false;
  let stopping = false;
  let failed = false;
  let restartTimer: NodeJS.Timeout | undefined;
  const listening = new Set<number>();
  const startFailures = new Map<number, string>();
  const reloads = new ReloadRounds(live);

  const fork = () => {
    const worker = cluster.fork(env);
    live.set(worker.id, worker);
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.junction === 'failed') startFailures.set(worker.id, message.message);
      else if (message.junction === 'reload-request') reloads.start({ worker, id: message.id }, message.only);
      else if (message.junction === 'reload-result') reloads.result(worker, message);
    });
  };

  const stopAll = (signal: NodeJS.Signals, why: string) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(restartTimer);
    stderr(why);
    for (const worker of live.values()) worker.process.kill(signal);
    // Workers cut their own requests at the shutdown timeout; this only catches one that hangs after that.
    setTimeout(
      () => {
        for (const worker of live.values()) worker.process.kill('SIGKILL');
      },
      shutdownTimeoutOf(config) + 15_000,
    ).unref();
    if (live.size === 0) finish();
  };

  const finish = () => {
    process.exitCode = failed ? 1 : 0;
    process.removeAllListeners('SIGHUP');
  };

  cluster.on('listening', (worker: Worker, address: Address) => {
    listening.add(worker.id);
    if (up && !stopping) stderr(`junction: worker pid ${worker.process.pid} is serving`);
    if (up || stopping || listening.size < workers) return;
    up = true;
    const at = { address: address.address ?? host, port: address.port };
    stderr(servingLine(loaded, at, Date.now() - started, workers));
  });

  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    live.delete(worker.id);
    listening.delete(worker.id);
    reloads.gone(worker);
    const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
    if (stopping) {
      // Stopped by the signal passed on (before its handlers were installed) is fine; an error exit or the
      // SIGKILL of the hard deadline is not.
      if ((code !== null && code !== 0) || signal === 'SIGKILL') failed = true;
      if (live.size === 0) finish();
      return;
    }
    if (!up) {
      failed = true;
      const reason = startFailures.get(worker.id);
      stderr(
        reason === undefined ? `junction: a worker stopped during start-up (${how})` : `junction: ${reason}`,
      );
      stopAll('SIGTERM', 'junction: stopping the other workers');
      return;
    }
    const { delayMs: delay, recent } = restarts.death(Date.now());
    if (delay === null) {
      failed = true;
      stopAll(
        'SIGTERM',
        `junction: workers died ${recent} times within ${CRASH_WINDOW_MS / 1000} s (last: pid ${worker.process.pid}, ${how}); giving up on restarts (a crash loop), stopping the others`,
      );
      return;
    }
    const reason = startFailures.get(worker.id);
    stderr(
      `junction: worker pid ${worker.process.pid} died (${how}${reason === undefined ? '' : `: ${reason}`}); starting a new one in ${delay} ms`,
    );
    restartTimer = setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  process.on('SIGHUP', () => {
    stderr('junction: SIGHUP: reloading the model in every worker');
    reloads.start();
  });
  // `on`, not `once`: a second signal must not fall back to the default action and kill the primary mid-drain.
  process.on('SIGINT', () =>
    stopAll('SIGINT', 'junction: SIGINT: workers finish requests in flight, then stop'),
  );
  process.on('SIGTERM', () =>
    stopAll('SIGTERM', 'junction: SIGTERM: workers finish requests in flight, then stop'),
  );

  for (let i = 0; i < workers; i++) fork();
}

/** The services a round introspects again: null for all of them. */
type Scope = ReadonlySet<string> | null;

interface Ask {
  worker: Worker;
  id: number;
}

/**
 * Reloads run in rounds: every live worker reloads, and when all have answered the primary reports once and
 * answers the workers that asked. A full reload asked while a full round runs joins it (as Runtime.reload
 * shares one); any other request waits for the next round, which starts after it was asked: a `_schema`
 * change must not join a round whose introspection may have begun before its DDL ran. Requests waiting for
 * the next round share it, introspecting the union of their services.
 */
export class ReloadRounds {
  private round = 0;
  private running: {
    scope: Scope;
    waiting: Set<number>;
    asks: Ask[];
    versions: number[];
    errors: { text: string; code?: string }[];
  } | null = null;
  private next: { scope: Scope; asks: Ask[] } | null = null;

  constructor(private readonly live: Map<number, Worker>) {}

  /** `only`: the services a `_schema` change touched (absent: a full reload). */
  start(ask?: Ask, only?: string[]): void {
    const scope = only === undefined ? null : new Set(only);
    if (this.running !== null && scope === null && this.running.scope === null) {
      if (ask) this.running.asks.push(ask);
      return;
    }
    const next = (this.next ??= { scope: new Set(), asks: [] });
    next.scope = next.scope === null || scope === null ? null : new Set([...next.scope, ...scope]);
    if (ask) next.asks.push(ask);
    if (this.running === null) this.begin();
  }

  result(worker: Worker, message: Extract<WorkerMessage, { junction: 'reload-result' }>): void {
    if (this.running === null || message.round !== this.round) return;
    if (message.error !== undefined)
      this.running.errors.push({
        text: `worker pid ${worker.process.pid}: ${message.error}`,
        code: message.code,
      });
    else if (message.version !== undefined) this.running.versions.push(message.version);
    this.settle(worker);
  }

  gone(worker: Worker): void {
    if (this.running !== null) this.settle(worker);
  }

  private begin(): void {
    const next = this.next!;
    this.next = null;
    this.round += 1;
    if (this.live.size === 0) return;
    const { scope, asks } = next;
    this.running = { scope, waiting: new Set(this.live.keys()), asks, versions: [], errors: [] };
    const only = scope === null ? {} : { only: [...scope] };
    for (const worker of this.live.values())
      this.send(worker, { junction: 'reload', round: this.round, ...only });
  }

  private settle(worker: Worker): void {
    const running = this.running!;
    running.waiting.delete(worker.id);
    if (running.waiting.size > 0) return;
    this.running = null;
    const versions = [...new Set(running.versions)];
    if (versions.length > 0) stderr(`junction: model reloaded (version ${versions.join(', ')})`);
    for (const { text } of running.errors) {
      stderr(`junction: reload failed in ${text}; that worker still serves the previous model`);
    }
    const first = running.errors[0];
    const failure = first === undefined ? {} : { error: first.text, code: first.code };
    for (const { worker: asker, id } of running.asks) {
      if (this.live.has(asker.id))
        this.send(asker, { junction: 'reload-done', round: this.round, id, ...failure });
    }
    if (this.next !== null) this.begin();
  }

  private send(worker: Worker, message: WorkerMessage): void {
    if (worker.isConnected()) worker.send(message);
  }
}
