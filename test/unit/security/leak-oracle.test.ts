// The fuzz suites' leak oracle: what the server echoes of the request is not a leak; internals it adds are.
import { describe, expect, it } from 'vitest';
import { leakIn } from '../../security/payloads.js';

const body = (message: string) => JSON.stringify({ error: { code: 400, message } });

describe('leakIn', () => {
  it('excuses a cut piece of the request quoted back in a message', () => {
    const answer = body("Invalid or unparsable field in filter request: 'MediaTypeId pg_s'");
    expect(leakIn(answer, '(MediaTypeId pg_s<>leep(NOT LIKE é)')).toBeNull();
  });

  it('still reports an internal name the request did not contain, even when it shares a prefix', () => {
    expect(leakIn(body('relation pg_catalog.pg_class'), 'pg_sleep(1)')?.[0]).toBe('pg_');
  });

  it('reports driver text the client never sent', () => {
    expect(leakIn(body('syntax error at or near "x"'), 'Name = 1')).not.toBeNull();
  });
});
