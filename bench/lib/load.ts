import autocannon from 'autocannon';

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadOptions {
  url: string;
  /** Builds each request (a fresh event id and signature per request). */
  next(): LoadRequest;
  connections: number;
  durationSeconds: number;
  /** Open loop: requests per second offered whatever the answers; closed loop when unset. */
  rate?: number;
  /** Sees every answer (status and body). */
  onResponse?(status: number, body: string): void;
}

export interface LoadFigures {
  connections: number;
  offeredRate: number | null;
  seconds: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 2xx answers per second. */
  okPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * One autocannon run. Closed loop: `connections` clients, each sends its next request when the
 * previous one is answered. Open loop (`rate`): requests are sent on a schedule; autocannon
 * corrects latencies for coordinated omission, so a server that falls behind shows it in p99.
 */
export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const next = options.next();
          return { ...request, path: next.path, headers: next.headers, body: next.body };
        },
        onResponse: (status, body) => options.onResponse?.(status, body),
      },
    ],
  });
  const ok = result['2xx'];
  return {
    connections: options.connections,
    offeredRate: options.rate ?? null,
    seconds: result.duration,
    requests: result.requests.sent,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    okPerSecond: ok / result.duration,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
  };
}
