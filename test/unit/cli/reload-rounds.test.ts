// The primary's reload rounds under `serve --workers` (src/cli/cluster.ts): which round a request joins, what
// each worker is told to reload, and who is answered when. Workers here are stand-ins that record what the
// primary sends them over IPC; the integration side is test/integration/serve-workers.test.ts.
import type { Worker } from 'node:cluster';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkerMessage } from '../../../src/cli/cluster-messages.js';
import { ReloadRounds } from '../../../src/cli/cluster.js';

interface FakeWorker {
  worker: Worker;
  sent: WorkerMessage[];
}

function fakeWorker(id: number): FakeWorker {
  const sent: WorkerMessage[] = [];
  const worker = {
    id,
    process: { pid: 1000 + id },
    isConnected: () => true,
    send: (message: WorkerMessage) => sent.push(message),
  } as unknown as Worker;
  return { worker, sent };
}

let printed: string[];
beforeEach(() => {
  printed = [];
  vi.spyOn(console, 'error').mockImplementation((line: string) => void printed.push(line));
});
afterEach(() => vi.restoreAllMocks());

/** Two live workers and the rounds that coordinate them. */
function cluster() {
  const a = fakeWorker(1);
  const b = fakeWorker(2);
  const rounds = new ReloadRounds(
    new Map([
      [1, a.worker],
      [2, b.worker],
    ]),
  );
  const answer = (w: FakeWorker, round: number, version: number) =>
    rounds.result(w.worker, { junction: 'reload-result', round, version });
  return { a, b, rounds, answer };
}

describe('reload rounds under --workers', () => {
  it('tells every worker to reload only the service a _schema change touched, and answers the asker once all have', () => {
    const { a, b, rounds, answer } = cluster();
    rounds.start({ worker: a.worker, id: 7 }, ['notes']);
    expect(a.sent).toEqual([{ junction: 'reload', round: 1, only: ['notes'] }]);
    expect(b.sent).toEqual([{ junction: 'reload', round: 1, only: ['notes'] }]);
    answer(a, 1, 2);
    expect(a.sent).toHaveLength(1);
    answer(b, 1, 2);
    expect(a.sent[1]).toEqual({ junction: 'reload-done', round: 1, id: 7 });
    expect(b.sent).toHaveLength(1);
    expect(printed).toContain('junction: model reloaded (version 2)');
  });

  it('does not let a _schema change join a round already under way: it gets the next one', () => {
    const { a, b, rounds, answer } = cluster();
    rounds.start(); // SIGHUP
    rounds.start({ worker: b.worker, id: 1 }, ['notes']);
    expect(b.sent).toEqual([{ junction: 'reload', round: 1 }]);
    answer(a, 1, 2);
    answer(b, 1, 2);
    // Round 1 ends without answering the change; round 2 reloads its service, then answers it.
    expect(b.sent.slice(1)).toEqual([{ junction: 'reload', round: 2, only: ['notes'] }]);
    answer(a, 2, 3);
    answer(b, 2, 3);
    expect(b.sent.slice(2)).toEqual([{ junction: 'reload-done', round: 2, id: 1 }]);
  });

  it('lets full reloads share a full round, and requests waiting for the next round share it', () => {
    const { a, b, rounds, answer } = cluster();
    rounds.start({ worker: a.worker, id: 1 });
    rounds.start({ worker: b.worker, id: 1 }); // joins round 1
    rounds.start({ worker: a.worker, id: 2 }, ['app']);
    rounds.start({ worker: b.worker, id: 2 }, []); // a relations-file change: no service introspected
    rounds.start({ worker: b.worker, id: 3 }, ['notes']);
    answer(a, 1, 2);
    answer(b, 1, 2);
    expect(a.sent.slice(1)).toEqual([
      { junction: 'reload-done', round: 1, id: 1 },
      { junction: 'reload', round: 2, only: ['app', 'notes'] },
    ]);
    answer(a, 2, 3);
    answer(b, 2, 3);
    expect(b.sent.filter((m) => m.junction === 'reload-done')).toEqual([
      { junction: 'reload-done', round: 1, id: 1 },
      { junction: 'reload-done', round: 2, id: 2 },
      { junction: 'reload-done', round: 2, id: 3 },
    ]);
  });

  it('widens a waiting targeted round to a full one when a full reload is asked meanwhile', () => {
    const { a, rounds, answer, b } = cluster();
    rounds.start({ worker: a.worker, id: 1 }, ['notes']);
    rounds.start({ worker: a.worker, id: 2 }, ['app']);
    rounds.start(); // SIGHUP during the targeted round 1
    answer(a, 1, 2);
    answer(b, 1, 2);
    expect(b.sent.slice(1)).toEqual([{ junction: 'reload', round: 2 }]);
  });

  it('passes a failure on to the asker with its error code, and reports it', () => {
    const { a, b, rounds, answer } = cluster();
    rounds.start({ worker: a.worker, id: 4 }, []);
    rounds.result(b.worker, { junction: 'reload-result', round: 1, error: 'bad key', code: 'MODEL_INVALID' });
    answer(a, 1, 2);
    expect(a.sent[1]).toEqual({
      junction: 'reload-done',
      round: 1,
      id: 4,
      error: 'worker pid 1002: bad key',
      code: 'MODEL_INVALID',
    });
    expect(printed).toContain(
      'junction: reload failed in worker pid 1002: bad key; that worker still serves the previous model',
    );
  });

  it('does not wait for a worker that died during the round', () => {
    const { a, b, rounds, answer } = cluster();
    rounds.start({ worker: a.worker, id: 1 }, ['notes']);
    answer(a, 1, 2);
    rounds.gone(b.worker);
    expect(a.sent[1]).toEqual({ junction: 'reload-done', round: 1, id: 1 });
  });
});
