/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// security.md A9, brute force: 100 wrong API keys, and 100 wrong logins, from one client address. The guard
// (limits.authFailures) answers the first maxFailures as usual and everything after with 429 + Retry-After,
// in DreamFactory's envelope for REST and as GraphQL errors for /graphql, and then refuses even correct
// credentials from that address until the block ends. Each scenario has a server (and so counters) of its own;
// the general rate limit is off, so every 429 here is the guard's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  basic,
  connect,
  createDeployment,
  type Client,
  type Deployment,
  type Reply,
} from './support/auth.js';

const ATTEMPTS = 100;
let deployment: Deployment;

beforeAll(async () => {
  deployment = await createDeployment();
});
afterAll(() => deployment?.remove());

const key = (k: string) => ({ 'x-dreamfactory-api-key': k });
const wrongKey = (i: number) => key(`not-a-key-${i}-0123456789abcdef`);

/** How many answers came before the first 429 (all of them when none did). */
function answeredBefore429(statuses: number[]): number {
  const first = statuses.indexOf(429);
  return first === -1 ? statuses.length : first;
}

/** A 429 of the guard in DreamFactory's envelope, with a Retry-After of 1 to `blockSeconds` seconds. */
function expectBlockedRest(reply: Reply, blockSeconds: number): void {
  expect(reply.status, reply.text).toBe(429);
  expect(reply.body).toEqual({
    error: {
      code: 429,
      context: null,
      message: expect.stringMatching(
        /^Too many failed authentication attempts from this address: try again in \d+ s\.$/,
      ),
      status_code: 429,
    },
  });
  const wait = Number(reply.headers.get('retry-after'));
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(blockSeconds);
}

async function wrongKeys(client: Client, count: number): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let i = 0; i < count; i++)
    replies.push(await client.call('GET', '/api/v2/notes/_table/note', wrongKey(i)));
  return replies;
}

describe('100 wrong API keys from one address (maxFailures 10, blockSeconds 300: the defaults)', () => {
  let client: Client;
  let replies: Reply[];
  beforeAll(async () => {
    client = await connect(deployment.config(), '::');
    replies = await wrongKeys(client, ATTEMPTS);
  });
  afterAll(async () => client?.close());

  it('answers the first 10 with DreamFactory’s 400 and the other 90 with 429 (threshold 10 ± 10 %)', () => {
    const statuses = replies.map((r) => r.status);
    const answered = answeredBefore429(statuses);
    expect(answered).toBeGreaterThanOrEqual(9);
    expect(answered).toBeLessThanOrEqual(11);
    expect(answered).toBe(10); // measured: exactly the threshold
    expect(statuses.slice(0, answered).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(answered).every((s) => s === 429)).toBe(true);
  });

  it('sets Retry-After on every 429, in DreamFactory’s envelope', () => {
    for (const reply of replies.slice(10)) expectBlockedRest(reply, 300);
  });

  it('refuses the correct key from the same address while blocked, over REST and GraphQL', async () => {
    expectBlockedRest(await client.call('GET', '/api/v2/notes/_table/note', key(deployment.key)), 300);
    const graphql = await client.graphql('{ notes { notes { body } } }', key(deployment.key));
    expect(graphql.status).toBe(429);
    expect(graphql.body.data).toBeUndefined();
    expect(graphql.body.errors).toEqual([
      {
        message: expect.stringMatching(/^Too many failed authentication attempts/),
        extensions: { code: 'RATE_LIMITED' },
      },
    ]);
    expect(Number(graphql.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('refuses a correct login and correct Basic credentials from that address too, without checking them', async () => {
    const { ann } = deployment;
    const login = await client.call('POST', '/api/v2/user/session', key(deployment.key), ann);
    expectBlockedRest(login, 300);
    const basicReply = await client.call('GET', '/api/v2/notes/_table/note', {
      ...key(deployment.key),
      authorization: basic(ann.email, ann.password),
    });
    expectBlockedRest(basicReply, 300);
  });

  it('still answers requests without credentials, and probes, as usual', async () => {
    expect((await client.call('GET', '/health')).status).toBe(200);
    expect((await client.call('GET', '/api/v2/notes/_table/note')).status).toBe(400);
  });

  it('leaves another client address alone: the same correct key from ::1 is served', async () => {
    const port = new URL(client.origin).port;
    const response = await fetch(`http://[::1]:${port}/api/v2/notes/_table/note`, {
      headers: { accept: 'application/json', ...key(deployment.key) },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).resource).toHaveLength(2);
  });

  it('logs each refusal with the client address and never the keys', () => {
    const blocked = client.server.log.filter((line) =>
      line.includes(' 429 RATE_LIMITED: Too many failed authentication'),
    );
    expect(blocked.length).toBeGreaterThanOrEqual(90);
    expect(blocked[0]).toMatch(
      /^denied: request=\S+ client=127\.0\.0\.1 principal=none GET \/api\/v2\/notes\/_table\/note 429/,
    );
    const log = client.server.log.join('\n');
    for (let i = 0; i < ATTEMPTS; i++) expect(log).not.toContain(`not-a-key-${i}-`);
    for (const secret of deployment.secrets) expect(log).not.toContain(secret);
  });
});

describe('100 wrong logins from one address', () => {
  let client: Client;
  let replies: Reply[];
  beforeAll(async () => {
    client = await connect(deployment.config());
    replies = [];
    for (let i = 0; i < ATTEMPTS; i++) {
      const body = { email: deployment.ann.email, password: `guess-${i}` };
      replies.push(await client.call('POST', '/api/v2/user/session', key(deployment.key), body));
    }
  }, 60_000);
  afterAll(async () => client?.close());

  it('answers the first 10 with 401 Invalid credentials and the other 90 with 429 + Retry-After', () => {
    const answered = answeredBefore429(replies.map((r) => r.status));
    expect(answered).toBe(10);
    for (const reply of replies.slice(0, 10)) {
      expect(reply.status).toBe(401);
      expect(reply.body.error.message).toBe('Invalid credentials supplied.');
    }
    for (const reply of replies.slice(10)) expectBlockedRest(reply, 300);
  });

  it('refuses the right password from that address until the block ends', async () => {
    expectBlockedRest(
      await client.call('POST', '/api/v2/user/session', key(deployment.key), deployment.ann),
      300,
    );
  });
});

describe('successful logins in between', () => {
  it('do not reset the count: 10 wrong passwords with a correct login after every 2 still block the 11th', async () => {
    const client = await connect(deployment.config());
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) {
        const body = { email: deployment.ann.email, password: `guess-${i}` };
        statuses.push((await client.call('POST', '/api/v2/user/session', key(deployment.key), body)).status);
        if (i % 2 === 1 && i < 10) {
          const good = await client.call('POST', '/api/v2/user/session', key(deployment.key), deployment.ann);
          expect(good.status).toBe(200);
        }
      }
      expect(statuses).toEqual([...Array(10).fill(401), ...Array(5).fill(429)]);
    } finally {
      await client.close();
    }
  });
});

describe('every kind of refused credential counts, and only those', () => {
  it('blocks after 4 wrong keys, 3 forged session tokens and 3 wrong Basic passwords, on the 11th', async () => {
    const client = await connect(deployment.config());
    try {
      const statuses: number[] = [];
      const get = async (headers: Record<string, string>) =>
        statuses.push((await client.call('GET', '/api/v2/notes/_table/note', headers)).status);
      for (let i = 0; i < 4; i++) await get(wrongKey(i));
      for (let i = 0; i < 3; i++)
        await get({ ...key(deployment.key), authorization: `Bearer forged.${i}.token` });
      for (let i = 0; i < 3; i++)
        await get({ ...key(deployment.key), authorization: basic(deployment.bob.email, `no-${i}`) });
      // Refusals that guessed nothing do not count: no credentials, and a role's denial of a table.
      for (let i = 0; i < 5; i++) await get({});
      for (let i = 0; i < 5; i++)
        statuses.push(
          (
            await client.call('GET', '/api/v2/notes/_table/secret', {
              ...key(deployment.key),
              authorization: basic(deployment.ann.email, deployment.ann.password),
            })
          ).status,
        );
      await get(wrongKey(99));
      expect(statuses).toEqual([
        ...Array(4).fill(400),
        ...Array(3).fill(401),
        ...Array(3).fill(401),
        ...Array(5).fill(400),
        ...Array(5).fill(403),
        429,
      ]);
    } finally {
      await client.close();
    }
  });
});

describe('the threshold and the block are configurable', () => {
  it('answers 25 wrong keys and blocks for at most 30 s with maxFailures 25 and blockSeconds 30', async () => {
    const client = await connect(deployment.config({ authFailures: { maxFailures: 25, blockSeconds: 30 } }));
    try {
      const replies = await wrongKeys(client, ATTEMPTS);
      const answered = answeredBefore429(replies.map((r) => r.status));
      expect(answered).toBeGreaterThanOrEqual(23);
      expect(answered).toBeLessThanOrEqual(27);
      expect(answered).toBe(25);
      for (const reply of replies.slice(25)) expectBlockedRest(reply, 30);
    } finally {
      await client.close();
    }
  });

  it('never blocks with enabled: false', async () => {
    const client = await connect(deployment.config({ authFailures: { enabled: false } }));
    try {
      const statuses = (await wrongKeys(client, ATTEMPTS)).map((r) => r.status);
      expect(statuses.every((s) => s === 400)).toBe(true);
      expect((await client.call('GET', '/api/v2/notes/_table/note', key(deployment.key))).status).toBe(200);
    } finally {
      await client.close();
    }
  });
});
