/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// REST requests against a started test server (support/graphql.ts): `rest.get('/api/v2/chinook/_table/Album')`
// returns the status, the body (parsed JSON, else the text), the headers and how many SQL statements the
// request ran (the x-junction-sql-statements header).
import { STATEMENTS_HEADER } from '../../../src/http/server.js';
import type { TestServer } from './graphql.js';

export interface RestResult<T = any> {
  status: number;
  /** Parsed JSON when the response is JSON (a bare number for count_only), else the text. */
  body: T;
  text: string;
  headers: Headers;
  /** SQL statements the request ran; null when the header is absent. */
  statements: number | null;
}

export interface RestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON (content-type application/json unless `headers` sets one). */
  json?: unknown;
  /** Sent as is. */
  body?: string;
}

export interface RestClient {
  /** The server's origin, e.g. `http://127.0.0.1:4711`. */
  origin: string;
  request<T = any>(path: string, options?: RestOptions): Promise<RestResult<T>>;
  get<T = any>(path: string, headers?: Record<string, string>): Promise<RestResult<T>>;
}

export function restClient(server: TestServer): RestClient {
  const origin = new URL(server.url).origin;
  async function request<T>(path: string, options: RestOptions = {}): Promise<RestResult<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
    }
    const response = await fetch(origin + path, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
    });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
      parsed = JSON.parse(text) as unknown;
    }
    const header = response.headers.get(STATEMENTS_HEADER);
    return {
      status: response.status,
      body: parsed as T,
      text,
      headers: response.headers,
      statements: header === null ? null : Number(header),
    };
  }
  return {
    origin,
    request,
    get: (path, headers) => request(path, { headers }),
  };
}
