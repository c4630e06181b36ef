// What the cluster primary and its workers say to each other over the IPC channel.

export type WorkerMessage =
  /** Worker → primary: the start failed; `message` is the operator's text, printed once by the primary. */
  | { junction: 'failed'; message: string }
  /** Worker → primary: reload every worker (POST /_admin/reload reached this one). */
  | { junction: 'reload-request' }
  /** Primary → worker: reload now, as part of round `round`. */
  | { junction: 'reload'; round: number }
  /** Worker → primary: this worker's outcome of round `round`. */
  | { junction: 'reload-result'; round: number; version?: number; error?: string }
  /** Primary → worker: every worker has answered round `round`. */
  | { junction: 'reload-done'; round: number; error?: string };

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { junction?: unknown }).junction === 'string'
  );
}
