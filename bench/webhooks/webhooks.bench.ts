import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Stripe from 'stripe';
import { startStripeSimulator } from '../../tools/stripe-simulator/index.js';
import {
  type BenchResult,
  type ChildServer,
  describeMachine,
  DIST,
  formatTable,
  processCpuMs,
  round,
  sleep,
  startBenchDatabase,
  startChild,
  withClient,
} from '../lib/bench-env.js';
import { type LoadFigures, runLoad } from '../lib/load.js';
import { Progress } from '../lib/progress.js';
import { makeSubscriptionUpdated } from './signed-events.js';

const SECRET = 'whsec_bench_webhooks';
const ID_IN_BODY = /"id":"([^"]+)"/;
/** How long a lag run waits for the worker to drain after the load stops; the rest counts as unprocessed. */
const DRAIN_CAP_MS = 60_000;

interface Parameters {
  concurrency: number[];
  roundSeconds: number;
  rounds: number;
  openRates: number[];
  openSeconds: number;
  burstSeconds: number;
  lagRates: number[];
  lagSeconds: number;
  customers: number;
  /** closed, open, burst, lag: all by default (BENCH_PHASES to run fewer while working). */
  phases: string[];
}

function parameters(): Parameters {
  const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  return {
    concurrency: (process.env.BENCH_CONCURRENCY ?? '1,8,32,64').split(',').map(Number),
    roundSeconds: num('BENCH_ROUND_SECONDS', 5),
    rounds: num('BENCH_ROUNDS', 2),
    openRates: (process.env.BENCH_OPEN_RATES ?? '200,500,800,1100,1400').split(',').map(Number),
    openSeconds: num('BENCH_OPEN_SECONDS', 5),
    burstSeconds: num('BENCH_BURST_SECONDS', 60),
    lagRates: [50, 200],
    lagSeconds: num('BENCH_LAG_SECONDS', 10),
    customers: 200,
    phases: (process.env.BENCH_PHASES ?? 'closed,open,burst,lag').split(','),
  };
}

type Target = 'ours' | 'bare';

/**
 * `npm run bench webhooks`: our POST /api/webhooks/stripe against a bare Node handler on the
 * same PostgreSQL, in the same run, with the same signed payloads. See bench/README.md.
 */
export async function runWebhooksBench(): Promise<BenchResult> {
  const p = parameters();
  const startedAt = new Date().toISOString();
  const planned =
    (p.phases.includes('closed') ? p.concurrency.length * p.rounds * 2 * p.roundSeconds : 0) +
    (p.phases.includes('open') ? p.openRates.length * 2 * p.openSeconds : 0) +
    (p.phases.includes('burst') ? p.burstSeconds : 0) +
    (p.phases.includes('lag') ? (p.lagRates.length + 1) * (p.lagSeconds + 20) : 0) +
    30;
  const progress = new Progress(planned);
  const machine = describeMachine();
  progress.begin('starting PostgreSQL and both servers', 20);
  const db = await startBenchDatabase((line) => progress.log(line));
  // With DATABASE_URL set the service refuses to start its own simulator and the public JWT
  // secret (secure defaults), so the bench runs one simulator for every child and sets a secret.
  const sim = await startStripeSimulator({ port: 0 });
  const children: ChildServer[] = [];
  try {
    const baseEnv = {
      NODE_ENV: 'development',
      DATABASE_URL: db.url,
      STRIPE_SECRET_KEY: 'sk_test_bench',
      STRIPE_API_BASE: sim.url,
      AUTH_JWT_SECRET: 'bench-only-secret-of-at-least-32-characters',
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_SIM_PORT: String(40_000 + Math.floor(Math.random() * 10_000)),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    };
    const nodeArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const ours = await startChild({
      script: join(DIST, 'src/main.js'),
      env: { ...baseEnv, WEBHOOK_WORKER_ENABLED: 'false' },
      nodeArgs,
    });
    children.push(ours);
    await withClient(db.url, (client) =>
      client.query(`CREATE TABLE bench_bare_events (
        id text PRIMARY KEY, type text NOT NULL, payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`),
    );
    const bare = await startChild({
      script: join(DIST, 'bench/webhooks/bare-handler.js'),
      env: { DATABASE_URL: db.url, BENCH_WEBHOOK_SECRET: SECRET },
      healthPath: '/',
    });
    children.push(bare);
    const urls: Record<Target, string> = { ours: ours.url, bare: bare.url };

    const pids: Record<Target, number | undefined> = { ours: ours.process.pid, bare: bare.process.pid };
    const load = async (
      target: Target,
      run: string,
      options: { connections: number; seconds: number; rate?: number },
      acked?: string[],
    ): Promise<LoadFigures & { cpuUsPerAck: number | null }> => {
      let n = 0;
      const cpuBefore = processCpuMs(pids[target]);
      const figures = await runLoad({
        url: urls[target],
        connections: options.connections,
        durationSeconds: options.seconds,
        rate: options.rate,
        next: () => {
          const event = makeSubscriptionUpdated(SECRET, `evt_${run}_${target}_${(n++).toString(36)}`, `cus_b${n % 1000}`);
          return {
            path: '/api/webhooks/stripe',
            headers: { 'content-type': 'application/json', 'stripe-signature': event.signature },
            body: event.body,
          };
        },
        onResponse: acked
          ? (status, body) => {
              if (status === 200) acked.push(ID_IN_BODY.exec(body)?.[1] ?? '?');
            }
          : undefined,
      });
      const cpuAfter = processCpuMs(pids[target]);
      const cpuUsPerAck =
        cpuBefore === undefined || cpuAfter === undefined || figures.ok === 0 ? null : round(((cpuAfter - cpuBefore) * 1000) / figures.ok, 0);
      return { ...figures, cpuUsPerAck };
    };
    const run = randomBytes(3).toString('hex');

    // 1. Closed loop, side by side: the order alternates per round so neither always goes first.
    progress.begin('warm-up', 4);
    await load('ours', `${run}w`, { connections: 8, seconds: 2 });
    await load('bare', `${run}w`, { connections: 8, seconds: 2 });
    type Measured = Awaited<ReturnType<typeof load>>;
    const closed: { concurrency: number; ours: Measured[]; bare: Measured[] }[] = [];
    for (const concurrency of p.phases.includes('closed') ? p.concurrency : []) {
      const entry = { concurrency, ours: [] as Measured[], bare: [] as Measured[] };
      for (let r = 0; r < p.rounds; r++) {
        const order: Target[] = r % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours'];
        for (const target of order) {
          progress.begin(`closed loop c=${concurrency} round ${r + 1}/${p.rounds}: ${target}`, p.roundSeconds);
          entry[target].push(await load(target, `${run}c${concurrency}r${r}`, { connections: concurrency, seconds: p.roundSeconds }));
        }
      }
      closed.push(entry);
    }
    const closedRows = closed.map((entry) => {
      const ours = summarise(entry.ours);
      const bare = summarise(entry.bare);
      return {
        concurrency: entry.concurrency,
        ours,
        bare,
        ratio: round(ours.okPerSecond / bare.okPerSecond, 2),
        cpuRatio: ours.cpuUsPerAck && bare.cpuUsPerAck ? round(bare.cpuUsPerAck / ours.cpuUsPerAck, 2) : null,
      };
    });

    // 2. Open loop at fixed offered rates (latency corrected for coordinated omission).
    const open: { rate: number; ours: LoadFigures; bare: LoadFigures }[] = [];
    for (const rate of p.phases.includes('open') ? p.openRates : []) {
      const figures = {} as Record<Target, LoadFigures>;
      for (const target of ['ours', 'bare'] as Target[]) {
        progress.begin(`open loop ${rate}/s: ${target}`, p.openSeconds);
        figures[target] = await load(target, `${run}o${rate}`, { connections: 64, seconds: p.openSeconds, rate });
      }
      open.push({ rate, ...figures });
    }
    const sustains = (f: LoadFigures) => f.ok >= f.offeredRate! * f.seconds * 0.9 && f.non2xx === 0 && f.errors === 0 && f.p99Ms < 1000;
    const sustained = open.filter((entry) => sustains(entry.ours)).map((entry) => entry.rate);
    const burstRate = Math.max(p.lagRates[p.lagRates.length - 1], ...sustained);

    // 3. A burst at the highest rate ours sustained: every 200 must be in the inbox.
    progress.begin(`burst ${burstRate}/s for ${p.burstSeconds}s`, p.burstSeconds);
    const acked: string[] = [];
    const burstRun = `${run}burst`;
    const burst = p.phases.includes('burst')
      ? await load('ours', burstRun, { connections: 64, seconds: p.burstSeconds, rate: burstRate }, acked)
      : null;
    const stored = await withClient(db.url, async (client) => {
      const rows = await client.query<{ id: string }>(`SELECT id FROM stripe_events WHERE id LIKE $1`, [`evt_${burstRun}_%`]);
      return new Set(rows.rows.map((row) => row.id));
    });
    const lost = acked.filter((id) => !stored.has(id)).length;
    await ours.stop();
    children.splice(children.indexOf(ours), 1);
    // The ack phases' events name customers that exist nowhere: the worker would spend the lag
    // phase failing on them first.
    await withClient(db.url, (client) => client.query(`DELETE FROM stripe_events`));

    // 4. Event-to-effect lag with the worker on and the simulator as Stripe.
    const lag = p.phases.includes('lag') ? await measureLag(p, db.url, baseEnv, sim.url, burstRate, progress) : [];
    progress.stop();

    const result: BenchResult = {
      name: 'webhooks',
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      parameters: { ...p, payloadBytes: makeSubscriptionUpdated(SECRET, 'evt_x', 'cus_x').body.length, logLevel: baseEnv.LOG_LEVEL },
      figures: {
        closedLoop: closedRows,
        headlineRatioAt32: closedRows.find((row) => row.concurrency === 32)?.ratio ?? null,
        openLoop: open.map((entry) => ({ rate: entry.rate, ours: entry.ours, bare: entry.bare, oursSustained: sustains(entry.ours) })),
        burst: { rate: burstRate, seconds: p.burstSeconds, acked: acked.length, stored: stored.size, lost, figures: burst },
        lag,
      },
    };
    printWebhooks(result);
    return result;
  } finally {
    progress.stop();
    for (const child of children) await child.stop();
    await sim.close();
    await db.stop();
  }
}

function summarise(runs: (LoadFigures & { cpuUsPerAck: number | null })[]) {
  const total = runs.reduce((sum, f) => sum + f.ok, 0);
  const seconds = runs.reduce((sum, f) => sum + f.seconds, 0);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    okPerSecond: round(total / seconds, 0),
    p50Ms: median(runs.map((f) => f.p50Ms)),
    p99Ms: median(runs.map((f) => f.p99Ms)),
    non2xx: runs.reduce((sum, f) => sum + f.non2xx + f.errors, 0),
    cpuUsPerAck: runs.every((f) => f.cpuUsPerAck !== null) ? median(runs.map((f) => f.cpuUsPerAck!)) : null,
  };
}

async function measureLag(
  p: Parameters,
  databaseUrl: string,
  baseEnv: Record<string, string>,
  simUrl: string,
  maxRate: number,
  progress: Progress,
) {
  progress.begin('lag: creating customers and starting the service with its worker', 10);
  const stripe = new Stripe('sk_test_bench', { ...simulatorConfig(simUrl), maxNetworkRetries: 0 });
  const customers: string[] = [];
  for (let i = 0; i < p.customers; i++) {
    const customer = await stripe.customers.create({ email: `bench${i}@example.test`, metadata: { businessId: `biz_bench_${i}` } });
    customers.push(customer.id);
  }
  const ours = await startChild({
    script: join(DIST, 'src/main.js'),
    env: {
      ...baseEnv,
      WEBHOOK_WORKER_ENABLED: 'true',
      ...(process.env.BENCH_WORKER_CONCURRENCY ? { WEBHOOK_WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY } : {}),
    },
  });
  const rows: {
    rate: number;
    figures: LoadFigures;
    events: number;
    processed: number;
    drainSeconds: number;
    lagP50Ms: number | null;
    lagP99Ms: number | null;
    lagMaxMs: number | null;
    unprocessed: { status: string; last_error: string | null; n: number }[];
  }[] = [];
  try {
    for (const rate of [...p.lagRates, ...(maxRate > p.lagRates[p.lagRates.length - 1] ? [maxRate] : [])]) {
      progress.begin(`lag at ${rate} events/s`, p.lagSeconds + 20);
      const run = `lag${rate}_${randomBytes(3).toString('hex')}`;
      let n = 0;
      const figures = await runLoad({
        url: ours.url,
        connections: 32,
        durationSeconds: p.lagSeconds,
        rate,
        next: () => {
          const event = makeSubscriptionUpdated(SECRET, `evt_${run}_${(n++).toString(36)}`, customers[n % customers.length]);
          return {
            path: '/api/webhooks/stripe',
            headers: { 'content-type': 'application/json', 'stripe-signature': event.signature },
            body: event.body,
          };
        },
      });
      const drainStarted = Date.now();
      const figuresSql = await withClient(databaseUrl, async (client) => {
        for (;;) {
          const open = await client.query<{ open: number }>(
            `SELECT count(*)::int AS open FROM stripe_events WHERE id LIKE $1 AND status IN ('pending', 'failed')`,
            [`evt_${run}_%`],
          );
          if (open.rows[0].open === 0 || Date.now() - drainStarted > DRAIN_CAP_MS) break;
          await sleep(200);
        }
        const stats = await client.query(
          `SELECT count(*)::int AS events, count(processed_at)::int AS processed,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at) * 1000) AS p50,
             percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at) * 1000) AS p99,
             max(extract(epoch FROM processed_at - received_at) * 1000) AS max
           FROM stripe_events WHERE id LIKE $1`,
          [`evt_${run}_%`],
        );
        const errors = await client.query<{ status: string; last_error: string | null; n: number }>(
          `SELECT status, last_error, count(*)::int AS n FROM stripe_events WHERE id LIKE $1 AND status <> 'processed'
           GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 3`,
          [`evt_${run}_%`],
        );
        return {
          ...(stats.rows[0] as { events: number; processed: number; p50: number | null; p99: number | null; max: string | null }),
          unprocessed: errors.rows,
        };
      });
      rows.push({
        rate,
        figures,
        events: figuresSql.events,
        processed: figuresSql.processed,
        drainSeconds: round((Date.now() - drainStarted) / 1000, 1),
        lagP50Ms: figuresSql.p50 === null ? null : round(Number(figuresSql.p50), 1),
        lagP99Ms: figuresSql.p99 === null ? null : round(Number(figuresSql.p99), 1),
        lagMaxMs: figuresSql.max === null ? null : round(Number(figuresSql.max), 1),
        unprocessed: figuresSql.unprocessed,
      });
    }
  } finally {
    await ours.stop();
  }
  return rows;
}

function simulatorConfig(url: string) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), protocol: 'http' as const };
}

function printWebhooks(result: BenchResult): void {
  const f = result.figures as {
    closedLoop: { concurrency: number; ours: ReturnType<typeof summarise>; bare: ReturnType<typeof summarise>; ratio: number; cpuRatio: number | null }[];
    openLoop: { rate: number; ours: LoadFigures; bare: LoadFigures; oursSustained: boolean }[];
    burst: { rate: number; seconds: number; acked: number; stored: number; lost: number; figures: LoadFigures | null };
    lag: { rate: number; events: number; processed: number; lagP50Ms: number | null; lagP99Ms: number | null; drainSeconds: number; figures: LoadFigures }[];
  };
  const out: string[] = [];
  out.push(`webhooks benchmark  (${result.machine.cpuModel}, ${result.machine.cores} cores, node ${result.machine.node}, ${result.machine.commit}${result.machine.dirty ? '+dirty' : ''}, load ${result.machine.loadAverage.join(' ')})`);
  out.push('', 'Closed loop: acknowledged events/s (2xx), ours vs bare handler, same run');
  out.push(
    formatTable(
      ['concurrency', 'ours/s', 'ours p50', 'ours p99', 'bare/s', 'bare p50', 'bare p99', 'ratio', 'CPU µs/ack ours', 'bare', 'CPU ratio', 'errors'],
      f.closedLoop.map((row) => [
        row.concurrency,
        row.ours.okPerSecond,
        `${row.ours.p50Ms} ms`,
        `${row.ours.p99Ms} ms`,
        row.bare.okPerSecond,
        `${row.bare.p50Ms} ms`,
        `${row.bare.p99Ms} ms`,
        row.ratio.toFixed(2),
        row.ours.cpuUsPerAck ?? '-',
        row.bare.cpuUsPerAck ?? '-',
        row.cpuRatio?.toFixed(2) ?? '-',
        row.ours.non2xx + row.bare.non2xx,
      ]),
    ),
  );
  out.push('', 'Open loop (64 connections): offered rate, achieved 2xx/s and latency');
  out.push(
    formatTable(
      ['offered/s', 'ours/s', 'ours p50', 'ours p99', 'bare/s', 'bare p50', 'bare p99', 'ours sustains'],
      f.openLoop.map((row) => [
        row.rate,
        round(row.ours.okPerSecond, 0),
        `${row.ours.p50Ms} ms`,
        `${row.ours.p99Ms} ms`,
        round(row.bare.okPerSecond, 0),
        `${row.bare.p50Ms} ms`,
        `${row.bare.p99Ms} ms`,
        row.oursSustained ? 'yes' : 'no',
      ]),
    ),
  );
  if (f.burst.figures) {
    out.push(
      '',
      `Burst: ${f.burst.rate}/s offered for ${f.burst.seconds} s: ${f.burst.acked} acknowledged (${round(f.burst.figures.okPerSecond, 0)}/s, p99 ${f.burst.figures.p99Ms} ms), ${f.burst.lost} acknowledged but not stored`,
    );
  }
  out.push('', 'Event-to-effect lag (received -> processed, worker on, simulator as Stripe)');
  out.push(
    formatTable(
      ['events/s', 'acked', 'processed', 'lag p50', 'lag p99', 'ack p99', 'drain after load'],
      f.lag.map((row) => [row.rate, row.figures.ok, row.processed, `${row.lagP50Ms} ms`, `${row.lagP99Ms} ms`, `${row.figures.p99Ms} ms`, `${row.drainSeconds} s`]),
    ),
  );
  process.stdout.write(`${out.join('\n')}\n`);
}
