// One worker of `junction serve --workers N`: serves like the in-process path, but prints nothing of its
// own at start (the primary does, once), reports a failed start to the primary, and reloads only when the
// primary says so, so that every worker serves the same model (POST /_admin/reload on any worker and SIGHUP
// to the primary both reload all of them).
import type { ModelVersion } from '../runtime/runtime.js';
import { stderr } from './context.js';
import { describeFailure } from './serve-parts.js';
import { startServing, stopServing, type ServeOptions } from './serve.js';
import { isWorkerMessage, type WorkerMessage } from './cluster-messages.js';

export async function serveWorker(options: ServeOptions): Promise<void> {
  const send = (message: WorkerMessage) => process.send?.(message);
  let serving;
  try {
    serving = await startServing(options, () => {});
  } catch (error) {
    send({ junction: 'failed', message: describeFailure(error) });
    process.exit(1);
  }
  const { runtime } = serving;

  // The primary coordinates reloads; a local one (admin route) asks it to reload every worker.
  const reloadHere = runtime.reload.bind(runtime);
  const outcomes = new Map<number, ModelVersion | Error>();
  const waiting: { resolve: (v: ModelVersion) => void; reject: (e: Error) => void }[] = [];
  runtime.reload = () =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      send({ junction: 'reload-request' });
    });
  process.on('message', (message: unknown) => {
    if (!isWorkerMessage(message)) return;
    if (message.junction === 'reload') {
      reloadHere().then(
        (next) => {
          outcomes.set(message.round, next);
          send({ junction: 'reload-result', round: message.round, version: next.version });
        },
        (error: Error) => {
          outcomes.set(message.round, error);
          send({ junction: 'reload-result', round: message.round, error: error.message });
        },
      );
    } else if (message.junction === 'reload-done') {
      const outcome =
        outcomes.get(message.round) ?? new Error(message.error ?? 'the reload did not run here');
      outcomes.clear();
      for (const { resolve, reject } of waiting.splice(0)) {
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      }
    }
  });

  // A hang-up of the terminal reaches every process of the group; the primary alone decides on reloads.
  process.on('SIGHUP', () => {});
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // The primary announces the stop once; a worker speaks only when it had to cut requests.
    void stopServing(
      serving,
      options.config,
      signal,
      (line) => stderr(`${line} [worker ${process.pid}]`),
      false,
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
