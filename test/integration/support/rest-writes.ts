/* eslint-disable @typescript-eslint/no-explicit-any -- REST answers are read dynamically, as a client would */
// REST requests for the write tests: a Junction server started with startTestServer (graphql.ts) answers
// DreamFactory-style calls under /api/v2; each call returns the status and the parsed JSON body.
import { request as httpRequest } from 'node:http';
import type { JunctionConfig } from '../../../src/config/types.js';
import { startTestServer, type TestServer } from './graphql.js';

export interface RestResult<T = any> {
  status: number;
  body: T;
  /** The raw response text (for bodies that are not JSON). */
  text: string;
}

export interface RestCall {
  /** URL query parameters (`related`, `fields`, `rollback`, …). */
  query?: Record<string, string | number | boolean>;
  /** Sent as JSON unless `raw` is given. */
  body?: unknown;
  /** A body sent as it is (with `contentType`, default application/json). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RestServer {
  server: TestServer;
  /** `/api/v2/{path}`, e.g. `request('POST', 'chinook/_table/Album', { body: { resource: [...] } })`. */
  request<T = any>(method: string, path: string, call?: RestCall): Promise<RestResult<T>>;
  /**
   * Sends `bytes` with node:http and a declared content-length, resolving as soon as the answer arrives. For
   * bodies the server refuses before reading them (413): fetch rejects with ECONNRESET when the server stops
   * reading mid-upload, even though the answer was sent.
   */
  upload<T = any>(method: string, path: string, bytes: Buffer, contentType?: string): Promise<RestResult<T>>;
  close(): Promise<void>;
}

export async function startRestServer(config: JunctionConfig): Promise<RestServer> {
  const server = await startTestServer(config);
  const base = server.url.replace(/\/graphql$/, '/api/v2/');
  return {
    server,
    async request<T>(method: string, path: string, call: RestCall = {}) {
      const url = new URL(path, base);
      for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, String(value));
      const hasBody = call.raw !== undefined || call.body !== undefined;
      const response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(hasBody ? { 'content-type': call.contentType ?? 'application/json' } : {}),
          ...call.headers,
        },
        body: call.raw ?? (call.body === undefined ? undefined : JSON.stringify(call.body)),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: body as T, text };
    },
    upload<T>(method: string, path: string, bytes: Buffer, contentType = 'application/json') {
      return new Promise<RestResult<T>>((resolve, reject) => {
        const outgoing = httpRequest(new URL(path, base), {
          method,
          headers: {
            accept: 'application/json',
            'content-type': contentType,
            'content-length': String(bytes.length),
          },
        });
        outgoing.on('response', (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: response.statusCode ?? 0, body: body as T, text });
          });
        });
        outgoing.on('error', reject);
        outgoing.end(bytes);
      });
    },
    close: () => server.close(),
  };
}
