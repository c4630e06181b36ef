import { describe, expect, it } from 'vitest';
import {
  observed,
  statementHub,
  statementKind,
  type StatementEvent,
} from '../../../src/observability/statements.js';

describe('statementKind', () => {
  it('names a statement by its first keyword', () => {
    expect(statementKind('select * from "a"')).toBe('select');
    expect(statementKind('  INSERT INTO a VALUES (?)')).toBe('insert');
    expect(statementKind('(select 1) union (select 2)')).toBe('select');
    expect(statementKind('CALL p(?)')).toBe('call');
    expect(statementKind('with x as (select 1) update a set b = 1')).toBe('update');
    expect(statementKind('with x as (select 1) select * from x')).toBe('select');
    expect(statementKind('vacuum')).toBe('other');
  });
});

describe('observed', () => {
  it('reports each statement with its service, text, bindings, rows and duration, and returns its result', async () => {
    const events: StatementEvent[] = [];
    const stop = statementHub.add({ onStatement: (event) => events.push(event) });
    try {
      const tag = { id: 'r-1' };
      const reporting = { service: 'db', hub: statementHub };
      const text = () => ({ sql: 'select 1 where a = ?', bindings: [7] });
      const result = await observed(
        reporting,
        { dialect: 'sqlite', request: tag, text },
        async () => 'rows',
        () => 3,
      );
      expect(result).toBe('rows');
      const failure = new Error('boom');
      await expect(
        observed(
          reporting,
          { dialect: 'sqlite', request: undefined, text },
          () => Promise.reject(failure),
          () => 0,
        ),
      ).rejects.toBe(failure);
      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({
        service: 'db',
        dialect: 'sqlite',
        sql: 'select 1 where a = ?',
        bindings: [7],
        rows: 3,
        error: null,
        request: tag,
      });
      expect(events[0]?.durationMs).toBeGreaterThanOrEqual(0);
      expect(events[1]).toMatchObject({ rows: null, error: failure, request: undefined });
    } finally {
      stop();
    }
  });

  it('builds no event when nobody listens, and an observer that throws never fails the statement', async () => {
    let built = 0;
    const text = () => {
      built += 1;
      return { sql: 'select 1', bindings: [] };
    };
    const quiet = { service: 'db', hub: { active: false, onStatement: () => {} } };
    await observed(
      quiet,
      { dialect: 'postgres', request: undefined, text },
      async () => 1,
      () => 1,
    );
    expect(built).toBe(0);
    const stop = statementHub.add({
      onStatement: () => {
        throw new Error('observer bug');
      },
    });
    try {
      const reporting = { service: 'db', hub: statementHub };
      await expect(
        observed(
          reporting,
          { dialect: 'postgres', request: undefined, text },
          async () => 'ok',
          () => 1,
        ),
      ).resolves.toBe('ok');
      expect(built).toBe(1);
    } finally {
      stop();
    }
  });
});
