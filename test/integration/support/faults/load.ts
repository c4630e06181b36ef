// A fixed-rate load recorder: starts one request every 1000/rate ms for a duration, whatever the answers, and
// records each request (start, status, latency, Retry-After) so outages and recovery can be computed after.
// An open loop on purpose: a closed loop (wrk, autocannon without -R) slows down when the server stalls and
// hides the queue a frozen database builds.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Sample {
  /** Which kind of request (the caller's label, e.g. 'read', 'write', 'health'). */
  kind: string;
  /** ms since the recorder started. */
  start: number;
  /** ms from start to the complete response (body read); the time to give up for status 0. */
  latency: number;
  /** HTTP status; 0 when no answer came (connection error or client timeout). */
  status: number;
  retryAfter: string | null;
  /** Response body text (kept for failures only, to explain them). */
  body?: string;
  /** What the caller's `request` returned besides the response, e.g. a write's request id. */
  tag?: string;
}

export interface Planned {
  kind: string;
  url: string;
  init?: RequestInit;
  tag?: string;
}

export interface LoadOptions {
  /** Requests per second, spread evenly. */
  rate: number;
  durationMs: number;
  /** The n-th request (0-based) to send. */
  next(n: number): Planned;
  /** A request with no complete answer after this is recorded as status 0 (default 30 s). */
  clientTimeoutMs?: number;
  /** Called with each finished sample (e.g. to retry a failed write). */
  onSample?(sample: Sample): void;
}

export class Recorder {
  readonly samples: Sample[] = [];
  readonly t0 = performance.now();

  now(): number {
    return performance.now() - this.t0;
  }

  /** Sends one request now and records it. */
  async send(planned: Planned, clientTimeoutMs = 30_000): Promise<Sample> {
    const start = this.now();
    const sample: Sample = {
      kind: planned.kind,
      start,
      latency: 0,
      status: 0,
      retryAfter: null,
      tag: planned.tag,
    };
    try {
      const response = await fetch(planned.url, {
        ...planned.init,
        signal: AbortSignal.timeout(clientTimeoutMs),
      });
      const text = await response.text();
      sample.status = response.status;
      sample.retryAfter = response.headers.get('retry-after');
      if (response.status >= 300) sample.body = text.slice(0, 500);
    } catch (error) {
      sample.body = String((error as Error).cause ?? error);
    }
    sample.latency = this.now() - start;
    this.samples.push(sample);
    return sample;
  }

  /** Open-loop load: resolves when every request of the run has been answered (or given up). */
  async run(options: LoadOptions): Promise<void> {
    const interval = 1000 / options.rate;
    const total = Math.round((options.durationMs / 1000) * options.rate);
    const begin = this.now();
    const inflight: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      const due = begin + n * interval;
      const wait = due - this.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      inflight.push(
        this.send(options.next(n), options.clientTimeoutMs).then((sample) => options.onSample?.(sample)),
      );
    }
    await Promise.all(inflight);
  }
}

// ---- summaries over samples -------------------------------------------------------------------------

export function countByStatus(samples: readonly Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) counts[s.status] = (counts[s.status] ?? 0) + 1;
  return counts;
}

export const isOk = (s: Sample) => s.status >= 200 && s.status < 300;

/** Samples whose request started in [from, to). */
export function between(samples: readonly Sample[], from: number, to = Infinity): Sample[] {
  return samples.filter((s) => s.start >= from && s.start < to);
}

export function maxLatency(samples: readonly Sample[]): number {
  return samples.reduce((max, s) => Math.max(max, s.latency), 0);
}

/** The `p`-th percentile latency (0–100), nearest rank. */
export function percentile(samples: readonly Sample[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = samples.map((s) => s.latency).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** ms (from the recorder's start) at which the first 2xx answer arrived among requests started at/after `from`. */
export function firstOkAfter(samples: readonly Sample[], from: number): number | null {
  let first: number | null = null;
  for (const s of samples) {
    if (s.start < from || !isOk(s)) continue;
    const done = s.start + s.latency;
    if (first === null || done < first) first = done;
  }
  return first;
}

/** Share (0–1) of 2xx among requests started at/after `from`; 1 when there are none. */
export function okShareAfter(samples: readonly Sample[], from: number): number {
  const after = samples.filter((s) => s.start >= from);
  return after.length === 0 ? 1 : after.filter(isOk).length / after.length;
}

/** A few examples per status, for assertion messages that explain a failure. */
export function describeSamples(samples: readonly Sample[], max = 3): string {
  const seen: Record<string, number> = {};
  const lines: string[] = [];
  for (const s of samples) {
    seen[s.status] = (seen[s.status] ?? 0) + 1;
    if (seen[s.status]! <= max) {
      lines.push(
        `${s.kind} @${s.start.toFixed(0)}ms → ${s.status} in ${s.latency.toFixed(0)}ms` +
          `${s.retryAfter === null ? '' : ` retry-after=${s.retryAfter}`} ${s.body ?? ''}`.trimEnd(),
      );
    }
  }
  return `${JSON.stringify(countByStatus(samples))}\n${lines.join('\n')}`;
}

/** With JUNCTION_FAULT_SAMPLES=<dir>, writes the samples of a run there as JSON (for a closer look). */
export function saveSamples(name: string, samples: readonly Sample[]): void {
  const dir = process.env.JUNCTION_FAULT_SAMPLES;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(samples));
}
