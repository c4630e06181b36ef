// Graceful stop of a node:http server: stop accepting, let the requests in flight finish (each answered with
// `Connection: close` when its headers are still unsent), close keep-alive connections as soon as they are
// idle, and after `timeoutMs` close whatever is left. Node's own server.close() waits for idle keep-alive
// sockets until their keep-alive timeout, and forever for a request that never ends.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface Drainer {
  /** Resolves once every connection is closed; `cut` counts the requests still running at the deadline. */
  drain(timeoutMs: number): Promise<{ cut: number }>;
}

/** Starts tracking requests in flight now, so a later drain() knows which ones it waits for. */
export function trackRequests(http: Server): Drainer {
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  const releaseWhenDone = (response: ServerResponse) => {
    // A response whose headers already promised keep-alive leaves an idle socket behind: close it then.
    response.once('finish', () => setImmediate(() => http.closeIdleConnections()));
  };

  http.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
    // A request that arrives on a kept-alive connection during the drain is answered, then the socket closes.
    if (draining) response.setHeader('Connection', 'close');
  });

  return {
    drain(timeoutMs) {
      draining = true;
      for (const response of inFlight) {
        if (!response.headersSent) response.setHeader('Connection', 'close');
        else releaseWhenDone(response);
      }
      return new Promise((resolve) => {
        let cut = 0;
        const deadline = setTimeout(() => {
          cut = inFlight.size;
          http.closeAllConnections();
        }, timeoutMs);
        // close() stops listening at once and also closes the connections that are idle now.
        http.close(() => {
          clearTimeout(deadline);
          resolve({ cut });
        });
        http.closeIdleConnections();
      });
    },
  };
}
