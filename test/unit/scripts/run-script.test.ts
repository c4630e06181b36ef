// One script run → its outcome for the request: the value, the status a rejection chose, an API error as it
// was, a failure naming the event (the error kept as the cause, for the log), or a timeout; and the report of
// each run. Real timers with small limits: nothing here asserts how long anything took.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/errors/index.js';
import {
  rejectionError,
  runWithLimit,
  ScriptRejection,
  type ScriptRunReport,
} from '../../../src/scripts/run-script.js';

const EVENT = 'chinook._table.Album.get.pre_process';

/** Runs `work` as `hook.ts` with `timeoutMs`; returns its value or error and what was reported. */
async function run(work: (signal: AbortSignal) => unknown, timeoutMs = 1000) {
  const reports: ScriptRunReport[] = [];
  try {
    const value = await runWithLimit({ event: EVENT, module: 'hook.ts', timeoutMs }, work, (r) =>
      reports.push(r),
    );
    return { value, error: undefined, reports };
  } catch (error) {
    return { value: undefined, error, reports };
  }
}

const never = () => new Promise<never>(() => {});

describe('runWithLimit', () => {
  it('answers what the script returned, synchronously or not, and reports the run ok', async () => {
    const sync = await run(() => 42);
    expect(sync.value).toBe(42);
    const later = await run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 'done';
    });
    expect(later.value).toBe('done');
    expect(later.reports).toEqual([
      { event: EVENT, module: 'hook.ts', durationMs: expect.any(Number), outcome: 'ok' },
    ]);
  });

  it.each([
    [400, 'SCRIPT_REJECTED'],
    [401, 'UNAUTHORIZED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [409, 'SCRIPT_CONFLICT'],
    [422, 'SCRIPT_UNPROCESSABLE'],
  ])('turns a rejection with status %i into %s with the script’s message', async (status, code) => {
    const { error, reports } = await run(() => {
      throw new ScriptRejection(status, 'No, thank you.');
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code, status, message: 'No, thank you.' });
    expect(reports.map((r) => r.outcome)).toEqual(['rejected']);
  });

  it.each([500, 302, 418, 0])('answers a rejection with status %i as a 400', async (status) => {
    const { error } = await run(() => Promise.reject(new ScriptRejection(status, 'Odd status.')));
    expect(error).toMatchObject({ code: 'SCRIPT_REJECTED', status: 400, message: 'Odd status.' });
  });

  it('lets an API error (from an internal API call) through unchanged', async () => {
    const thrown = new ApiError('NOT_FOUND', 'Table Nope not found.');
    const { error, reports } = await run(async () => {
      throw thrown;
    });
    expect(error).toBe(thrown);
    expect(reports.map((r) => r.outcome)).toEqual(['rejected']);
  });

  it('turns any other error into SCRIPT_FAILED naming the event, the error kept as the cause only', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'Title')");
    const { error, reports } = await run(() => {
      throw bug;
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'SCRIPT_FAILED',
      status: 500,
      message: `The script for ${EVENT} failed; the server log has details.`,
    });
    expect((error as ApiError).cause).toBe(bug);
    expect((error as ApiError).message).not.toContain('Title');
    expect(reports).toEqual([
      { event: EVENT, module: 'hook.ts', durationMs: expect.any(Number), outcome: 'failed', error: bug },
    ]);
  });

  it('treats a thrown non-error value as a failure too', async () => {
    const { error } = await run(() => Promise.reject('just a string'));
    expect(error).toMatchObject({ code: 'SCRIPT_FAILED' });
    expect((error as ApiError).cause).toBe('just a string');
  });

  it('answers SCRIPT_TIMEOUT for a script still running past its limit, and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const { error, reports } = await run((signal) => {
      seen = signal;
      return never();
    }, 20);
    expect(error).toMatchObject({
      code: 'SCRIPT_TIMEOUT',
      status: 504,
      message: `The script for ${EVENT} did not finish within 20 ms.`,
    });
    expect(reports.map((r) => r.outcome)).toEqual(['timeout']);
    expect(seen?.aborted).toBe(true);
  });

  it('aborts the signal once the run is over, so a script cannot keep working past it', async () => {
    let seen: AbortSignal | undefined;
    let abortedDuring: boolean | undefined;
    await run((signal) => {
      seen = signal;
      abortedDuring = signal.aborted;
      return 'ok';
    });
    expect(abortedDuring).toBe(false);
    expect(seen?.aborted).toBe(true);
    let failed: AbortSignal | undefined;
    await run((signal) => {
      failed = signal;
      throw new Error('boom');
    });
    expect(failed?.aborted).toBe(true);
  });
});

describe('rejectionError', () => {
  it('is the error platform.reject leads to, outside a run as well', () => {
    expect(rejectionError(409, 'Taken.')).toMatchObject({ code: 'SCRIPT_CONFLICT', status: 409 });
    expect(rejectionError(999, 'Odd.')).toMatchObject({ code: 'SCRIPT_REJECTED', status: 400 });
  });
});
