// A fixed-rate GET probe (e.g. /health) in its own small Node process: the test process carries hundreds of
// open requests during a fault, and its busy event loop would add its own delay to a latency measured there.
import { spawn } from 'node:child_process';
import type { Recorder, Sample } from './load.js';

const SCRIPT = `
const http = require('node:http');
const [url, rate, duration] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const now = () => performance.timeOrigin + performance.now();
const samples = [];
const begin = now();
const total = Math.round((duration / 1000) * rate);
let pending = total;
const finish = () => { if (--pending === 0) { process.stdout.write(JSON.stringify(samples)); agent.destroy(); } };
for (let n = 0; n < total; n++) {
  setTimeout(() => {
    const start = now();
    const request = http.get(url, { agent, timeout: 30000 }, (response) => {
      response.resume();
      response.on('end', () => {
        samples.push({ start, latency: now() - start, status: response.statusCode });
        finish();
      });
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => {
      samples.push({ start, latency: now() - start, status: 0, body: String(error) });
      finish();
    });
  }, Math.max(0, begin + (n * 1000) / rate - now()));
}
`;

/** Probes `url` at `rate` per second for `durationMs`; samples are timed on `recorder`'s clock. */
export function probeInChild(
  recorder: Recorder,
  kind: string,
  url: string,
  rate: number,
  durationMs: number,
): Promise<Sample[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SCRIPT, url, String(rate), String(durationMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`probe exited with code ${code}`));
      const origin = performance.timeOrigin + recorder.t0;
      const raw = JSON.parse(out) as { start: number; latency: number; status: number; body?: string }[];
      resolve(
        raw.map((s) => ({
          kind,
          start: s.start - origin,
          latency: s.latency,
          status: s.status,
          retryAfter: null,
          body: s.body,
        })),
      );
    });
  });
}
