/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// A real Junction server for a config, started on a free port: posts GraphQL queries and returns the data,
// the errors and how many SQL statements the request ran (the x-junction-sql-statements header).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../../src/config/limits-schema.js';
import type { JunctionConfig, ServiceConfig, VirtualForeignKeyConfig } from '../../../src/config/types.js';
import { createJunctionServer, STATEMENTS_HEADER } from '../../../src/http/server.js';
import { Runtime } from '../../../src/runtime/runtime.js';

export interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string } & Record<string, unknown>;
}

export interface GraphqlResult<T = any> {
  data: T | null | undefined;
  errors: GraphqlError[] | undefined;
  /** SQL statements the request ran, from the response header; null when the header is absent. */
  statements: number | null;
  status: number;
}

export interface TestServer {
  url: string;
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphqlResult<T>>;
  /** What the server logged (unexpected errors with their cause): printed by tests that fail on them. */
  readonly log: string[];
  close(): Promise<void>;
}

/** A config over `services`, with the schema cache switched off and the given virtual foreign keys. */
export function testConfig(
  services: ServiceConfig[],
  virtualForeignKeys: VirtualForeignKeyConfig[] = [],
): JunctionConfig {
  return {
    source: null,
    server: { host: '127.0.0.1', port: 0, adminToken: null },
    schemaCache: { dir: join(tmpdir(), 'junction-unused-cache'), mode: 'off' },
    services,
    virtualForeignKeys,
    auth: { apiKeyInQuery: true, roles: [], apps: [] },
    // Suites send hundreds of requests a second from one address; limits.test.ts turns the rate limit on.
    limits: { ...DEFAULT_LIMITS, rateLimit: { ...DEFAULT_LIMITS.rateLimit, enabled: false } },
  };
}

/**
 * Loads the model for `config` (no schema cache) and listens on 127.0.0.1 with a free port (or on `host`,
 * e.g. `::` to take both 127.0.0.1 and ::1: two client addresses on one machine).
 */
export async function startTestServer(config: JunctionConfig, host = '127.0.0.1'): Promise<TestServer> {
  const { runtime } = await Runtime.start(config, { cacheMode: 'off' });
  const logged: string[] = [];
  const server = createJunctionServer(runtime, (message) => {
    logged.push(message);
    if (process.env.JUNCTION_TEST_LOG) console.error(message);
  });
  let address;
  try {
    address = await server.listen(0, host);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const url = `http://127.0.0.1:${address.port}/graphql`;
  return {
    url,
    log: logged,
    async query<T>(query: string, variables?: Record<string, unknown>) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
      });
      const body = (await response.json()) as { data?: T | null; errors?: GraphqlError[] };
      const header = response.headers.get(STATEMENTS_HEADER);
      return {
        data: body.data,
        errors: body.errors,
        statements: header === null ? null : Number(header),
        status: response.status,
      };
    },
    async close() {
      await server.close();
      await runtime.close();
    },
  };
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
