// A TCP proxy in front of PostgreSQL that counts the SQL statements its clients run: every simple Query ('Q')
// and every extended-protocol Execute ('E', matched to its Parse text through Bind) of the frontend wire
// protocol. Transaction control and settings (BEGIN, COMMIT, SET, set_config …) are counted apart. Used only
// while verifying, never during the load runs (the extra hop would slow every target down).
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface StatementCount {
  /** Statements that read data. */
  data: number;
  /** BEGIN / COMMIT / ROLLBACK / SAVEPOINT / SET / RESET / DISCARD / select set_config(…). */
  control: number;
  /** Data statement texts (first 300 characters) and how often each ran. */
  texts: Map<string, number>;
}

const CONTROL =
  /^(begin|start|commit|end|rollback|savepoint|release|set|reset|discard|select\s+set_config)\b/i;
const SSL_OR_GSS = new Set([80877103, 80877104]);

export class CountProxy {
  count: StatementCount = { data: 0, control: 0, texts: new Map() };
  /** The port it listens on (127.0.0.1), once listen() has resolved. */
  port = 0;
  private server: Server | undefined;
  private sockets = new Set<Socket>();

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  reset(): void {
    this.count = { data: 0, control: 0, texts: new Map() };
  }

  listen(): Promise<number> {
    this.server = createServer((client) => this.connect(client));
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => {
        const address = this.server!.address();
        this.port = typeof address === 'object' && address ? address.port : 0;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private connect(client: Socket): void {
    const upstream = createConnection(this.upstreamPort, this.upstreamHost);
    this.sockets.add(client).add(upstream);
    const parser = new FrontendParser((text) => this.record(text));
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      parser.push(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  private record(text: string): void {
    const trimmed = text.trim();
    if (trimmed === '' || CONTROL.test(trimmed)) {
      this.count.control++;
      return;
    }
    this.count.data++;
    const key = trimmed.replace(/\s+/g, ' ').slice(0, 300);
    this.count.texts.set(key, (this.count.texts.get(key) ?? 0) + 1);
  }
}

/** Splits one connection's frontend byte stream into messages and reports each statement run. */
class FrontendParser {
  private buffer: Buffer = Buffer.alloc(0);
  private startup = true;
  private statements = new Map<string, string>();
  private portals = new Map<string, string>();

  constructor(private readonly onStatement: (text: string) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.startup) {
        // Untyped: int32 length, int32 code (protocol version, SSLRequest, GSSENCRequest or CancelRequest).
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        this.startup = SSL_OR_GSS.has(this.buffer.readInt32BE(4));
        this.buffer = this.buffer.subarray(length);
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      this.message(String.fromCharCode(this.buffer[0]!), this.buffer.subarray(5, 1 + length));
      this.buffer = this.buffer.subarray(1 + length);
    }
  }

  private message(type: string, body: Buffer): void {
    const [first, second] = cstrings(body, 2);
    switch (type) {
      case 'Q':
        this.onStatement(first ?? '');
        break;
      case 'P': // Parse: statement name, query text
        this.statements.set(first ?? '', second ?? '');
        break;
      case 'B': // Bind: portal name, statement name
        this.portals.set(first ?? '', this.statements.get(second ?? '') ?? '');
        break;
      case 'E': // Execute: portal name
        this.onStatement(this.portals.get(first ?? '') ?? '');
        break;
    }
  }
}

function cstrings(body: Buffer, count: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (out.length < count) {
    const end = body.indexOf(0, start);
    if (end < 0) break;
    out.push(body.toString('utf8', start, end));
    start = end + 1;
  }
  return out;
}
