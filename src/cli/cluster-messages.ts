// What the cluster primary and its workers say to each other over the IPC channel.

export type WorkerMessage =
  /** Worker → primary: the start failed; `message` is the operator's text, printed once by the primary. */
  | { junction: 'failed'; message: string }
  /**
   * Worker → primary: reload every worker (POST /_admin/reload reached this one), or after a `_schema` change
   * only the services in `only` (none: the relations file changed). `id` names the request in the answer.
   */
  | { junction: 'reload-request'; id: number; only?: string[] }
  /** Primary → worker: reload now (only the services in `only` when given), as part of round `round`. */
  | { junction: 'reload'; round: number; only?: string[] }
  /** Worker → primary: this worker's outcome of round `round` (`code`: the ApiError code of a failure). */
  | { junction: 'reload-result'; round: number; version?: number; error?: string; code?: string }
  /** Primary → worker: round `round`, which this worker's request `id` joined, is over. */
  | { junction: 'reload-done'; round: number; id: number; error?: string; code?: string };

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { junction?: unknown }).junction === 'string'
  );
}
