// One worker of `junction serve --workers N`: serves like the in-process path, but prints nothing of its
// own at start (the primary does, once), reports a failed start to the primary, and reloads only when the
// primary says so, so that every worker serves the same model (POST /_admin/reload or a `_schema` change on
// any worker, and SIGHUP to the primary, reload all of them).
import { ApiError, ERROR_CODES, type ErrorCode } from '../errors/index.js';
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

  // The primary coordinates reloads; a local one (admin route, `_schema` change) asks it to reload every
  // worker, and answers with this worker's own outcome of the round the request joined.
  const reloadHere = runtime.reload.bind(runtime);
  // Only the last round's outcome is kept: the primary ends a round (reload-done) before it starts the next.
  let last: { round: number; outcome: ModelVersion | Error } | null = null;
  const waiting = new Map<number, { resolve: (v: ModelVersion) => void; reject: (e: Error) => void }>();
  let requests = 0;
  runtime.reload = (options = {}) =>
    new Promise((resolve, reject) => {
      const id = ++requests;
      waiting.set(id, { resolve, reject });
      // `storedKeys` is not passed on: the relations file is saved before the reload, and every worker reads it.
      const only = typeof options === 'function' ? undefined : options.only;
      send({ junction: 'reload-request', id, ...(only ? { only: [...only] } : {}) });
    });
  process.on('message', (message: unknown) => {
    if (!isWorkerMessage(message)) return;
    if (message.junction === 'reload') {
      const { round } = message;
      reloadHere(message.only ? { only: new Set(message.only) } : {}).then(
        (next) => {
          last = { round, outcome: next };
          send({ junction: 'reload-result', round, version: next.version });
        },
        (error: Error) => {
          last = { round, outcome: error };
          send({ junction: 'reload-result', round, error: error.message, ...codeOf(error) });
        },
      );
    } else if (message.junction === 'reload-done') {
      const outcome =
        last?.round === message.round
          ? last.outcome
          : errorOf(message.error ?? 'the reload did not run here', message.code);
      const asker = waiting.get(message.id);
      waiting.delete(message.id);
      if (outcome instanceof Error) asker?.reject(outcome);
      else asker?.resolve(outcome);
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

/** A failure crosses the IPC channel as text and code, so that the asker answers as one process would. */
function codeOf(error: Error): { code?: string } {
  return error instanceof ApiError ? { code: error.code } : {};
}

function errorOf(message: string, code: string | undefined): Error {
  return code !== undefined && code in ERROR_CODES
    ? new ApiError(code as ErrorCode, message)
    : new Error(message);
}
