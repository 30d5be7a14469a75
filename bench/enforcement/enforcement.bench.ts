import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import {
  type BenchResult,
  type ChildServer,
  describeMachine,
  DIST,
  formatTable,
  processCpuMs,
  round,
  startBenchDatabase,
  startChild,
  withClient,
} from '../lib/bench-env.js';
import { type LoadFigures, runLoad } from '../lib/load.js';
import { Progress } from '../lib/progress.js';
import { SQL_LABEL_HEADER, type SqlStatementCounts } from './sql-statement-counter.js';

/** The GraphQL field each target is asked for: the same input, the same selection. */
const CREATE_FIELD: Record<Target, string> = {
  ours: 'createCampaign',
  twin: 'benchCreateCampaignUnguarded',
  // The baseline ignores the query text and answers as createCampaign.
  baseline: 'createCampaign',
};
const createMutation = (field: string) => `mutation($name: String!) { ${field}(input: { name: $name }) { id name } }`;
/**
 * Unlimited campaigns (catalogs/default.json: limit -1; still counted: ours reserves on every
 * call, the baseline increments), so the throughput rounds measure creates, not refusals.
 */
const BIG_PLAN = 'fame_flex';
/** 5 campaigns: the limit edge. */
const EDGE_PLAN = 'glow_up';
const EDGE_LIMIT = 5;

interface Parameters {
  concurrency: number[];
  roundSeconds: number;
  rounds: number;
  businesses: number;
  edgeBusinesses: number;
  edgeConcurrency: number;
}

function parameters(): Parameters {
  const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  return {
    concurrency: (process.env.BENCH_CONCURRENCY ?? '8,32').split(',').map(Number),
    roundSeconds: num('BENCH_ROUND_SECONDS', 5),
    rounds: num('BENCH_ROUNDS', 2),
    businesses: 1000,
    edgeBusinesses: num('BENCH_EDGE_BUSINESSES', 20),
    edgeConcurrency: 64,
  };
}

type Target = 'ours' | 'twin' | 'baseline';
const TARGETS: Target[] = ['ours', 'twin', 'baseline'];
/**
 * A throughput round whose answers are more than this share refusals or errors measured the wrong
 * thing (a limit reached, a misconfigured plan, a failing server): the run stops.
 */
const MAX_FAILED_SHARE = 0.005;
/** Sequential requests per kind in the SQL count (after a warm-up of WARM_REQUESTS each). */
const SQL_REQUESTS = 200;
const WARM_REQUESTS = 20;
type Scenario = 'hot' | 'spread';

/**
 * `npm run bench enforcement`: guarded createCampaign (GraphQL, @RequiresPlanCapacity) against its
 * undecorated twin (same process, same CampaignsService) and a validate-then-track handler on the
 * same PostgreSQL, same run, same tokens: throughput and p99 for one hot business and for 1,000
 * businesses, the SQL statements a guarded request and a feature check send, then over-grants
 * at the limit edge. See bench/README.md.
 */
export async function runEnforcementBench(): Promise<BenchResult> {
  const p = parameters();
  const startedAt = new Date().toISOString();
  const planned = 2 * p.concurrency.length * p.rounds * TARGETS.length * p.roundSeconds + 75;
  const progress = new Progress(planned);
  const machine = describeMachine();
  progress.begin('starting PostgreSQL and both servers', 30);
  const db = await startBenchDatabase((line) => progress.log(line));
  const children: ChildServer[] = [];
  try {
    const jwtSecret = randomBytes(32).toString('hex');
    // The service with the benchmark's twins and query logger (bench-server.ts): "ours" and "twin".
    const ours = await startChild({
      script: join(DIST, 'bench/enforcement/bench-server.js'),
      env: {
        NODE_ENV: 'development',
        DATABASE_URL: db.url,
        AUTH_JWT_SECRET: jwtSecret,
        // No Stripe call is made on this path; a key is required once DATABASE_URL is set.
        STRIPE_SECRET_KEY: 'sk_test_bench',
        STRIPE_API_BASE: 'http://127.0.0.1:1',
        STRIPE_WEBHOOK_SECRET: 'whsec_bench_enforcement',
        // The per-token rate limiter (600/min by default) would answer 429 to the load: it is not what is measured.
        RATE_LIMIT_MAX_REQUESTS: '1000000',
        WEBHOOK_WORKER_ENABLED: 'false',
        TRIAL_EXPIRY_ENABLED: 'false',
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      },
    });
    children.push(ours);
    await withClient(db.url, async (client) => {
      // The plans as the service loaded them from the catalog: a wrong plan here made the
      // throughput rounds measure refusals once.
      const plan = async (key: string) =>
        (
          await client.query<{ lim: number | null; csv: boolean | null }>(
            `SELECT (limits->'campaigns'->>'limit')::int AS lim, (features->>'csvExport')::boolean AS csv FROM plans WHERE key = $1`,
            [key],
          )
        ).rows[0];
      const big = await plan(BIG_PLAN);
      const edgePlan = await plan(EDGE_PLAN);
      if (big?.lim !== -1 || big.csv !== true) {
        throw new Error(`plan ${BIG_PLAN} must have unlimited campaigns (-1) and csvExport; the catalog says ${JSON.stringify(big)}`);
      }
      if (edgePlan?.lim !== EDGE_LIMIT) {
        throw new Error(`plan ${EDGE_PLAN} must allow ${EDGE_LIMIT} campaigns; the catalog says ${JSON.stringify(edgePlan)}`);
      }
      await client.query(`CREATE TABLE bench_campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(), business_id text NOT NULL, name text NOT NULL,
        created_by text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
      await client.query('CREATE INDEX bench_campaigns_business_created_idx ON bench_campaigns (business_id, created_at)');
      await client.query(`CREATE TABLE bench_usage (
        business_id text PRIMARY KEY, used integer NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
      // Accounts as billing sync leaves them (test/utils/enforcement-helpers.ts setPlan): an active
      // subscription on the plan. Seeded before any request, so no cached entitlements to invalidate.
      await client.query(
        `INSERT INTO billing_accounts (business_id, plan_key, billing_sync_status, subscription_status, current_period_start,
                                       current_period_end, billing_cycle_anchor)
         SELECT business_id, plan_key, 'account_created', 'active', now() - interval '1 day', now() + interval '29 days', now() - interval '1 day'
           FROM (SELECT 'hot' AS business_id, $1 AS plan_key
                 UNION ALL SELECT 'sql_writer', $1 UNION ALL SELECT 'sql_reader', $1
                 UNION ALL SELECT 'many_' || g, $1 FROM generate_series(1, $3::int) g
                 UNION ALL SELECT 'edge_' || g, $2 FROM generate_series(1, $4::int) g) accounts`,
        [BIG_PLAN, EDGE_PLAN, p.businesses, p.edgeBusinesses],
      );
    });
    const baseline = await startChild({
      script: join(DIST, 'bench/enforcement/validate-then-track-handler.js'),
      env: { DATABASE_URL: db.url, BENCH_JWT_SECRET: jwtSecret },
      healthPath: '/',
    });
    children.push(baseline);
    const urls: Record<Target, string> = { ours: ours.url, twin: ours.url, baseline: baseline.url };
    const pids: Record<Target, number | undefined> = { ours: ours.process.pid, twin: ours.process.pid, baseline: baseline.process.pid };

    const key = new TextEncoder().encode(jwtSecret);
    const token = (businessId: string) =>
      new SignJWT({ business_id: businessId, role: 'owner' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(`user_${businessId}`)
        .setIssuedAt()
        .setExpirationTime('2h')
        .sign(key);
    const hotToken = await token('hot');
    const manyTokens = await Promise.all(Array.from({ length: p.businesses }, (_, i) => token(`many_${i + 1}`)));
    const edgeTokens = await Promise.all(Array.from({ length: p.edgeBusinesses }, (_, i) => token(`edge_${i + 1}`)));

    const body = (target: Target, name: string) => JSON.stringify({ query: createMutation(CREATE_FIELD[target]), variables: { name } });
    const isCreated = (target: Target, status: number, text: string) => status === 200 && text.includes(`"${CREATE_FIELD[target]}":{`);
    const load = async (target: Target, scenario: Scenario, connections: number, seconds: number, phase: string) => {
      let n = 0;
      let created = 0;
      let refused = 0;
      let firstRefusal: string | undefined;
      const cpuBefore = processCpuMs(pids[target]);
      const figures = await runLoad({
        url: urls[target],
        connections,
        durationSeconds: seconds,
        next: () => {
          const bearer = scenario === 'hot' ? hotToken : manyTokens[n % manyTokens.length];
          n++;
          return {
            path: '/graphql',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
            body: body(target, `c${n}`),
          };
        },
        onResponse: (status, text) => {
          if (isCreated(target, status, text)) created++;
          else {
            refused++;
            firstRefusal ??= `HTTP ${status} ${text.slice(0, 300)}`;
          }
        },
      });
      const cpuAfter = processCpuMs(pids[target]);
      const cpuUsPerCreate =
        cpuBefore === undefined || cpuAfter === undefined || created === 0 ? null : round(((cpuAfter - cpuBefore) * 1000) / created, 0);
      // Every business here may create without limit: refusals or errors mean the figures are not throughput.
      const answers = created + refused + figures.errors;
      if (answers === 0 || (refused + figures.errors) / answers > MAX_FAILED_SHARE) {
        throw new Error(
          `${phase} (${target}): ${refused} refused and ${figures.errors} errors of ${answers} answers, more than ` +
            `${MAX_FAILED_SHARE * 100}%: this round would measure failures, not creates. First refusal: ${firstRefusal ?? 'none'}`,
        );
      }
      return { ...figures, created, refused, createdPerSecond: created / figures.seconds, cpuUsPerCreate };
    };
    type Measured = Awaited<ReturnType<typeof load>>;

    progress.begin('warm-up', 6);
    for (const target of TARGETS) await load(target, 'spread', 8, 2, 'warm-up');

    const sqlStatements = await countSqlStatements(ours.url, {
      writer: await token('sql_writer'),
      reader: await token('sql_reader'),
      progress,
    });

    const closed: { scenario: Scenario; concurrency: number; runs: Record<Target, Measured[]> }[] = [];
    for (const scenario of ['hot', 'spread'] as Scenario[]) {
      for (const concurrency of p.concurrency) {
        const entry = { scenario, concurrency, runs: { ours: [], twin: [], baseline: [] } as Record<Target, Measured[]> };
        for (let r = 0; r < p.rounds; r++) {
          // Reversed every other round: each pair of targets runs in both orders.
          const order = r % 2 === 0 ? TARGETS : [...TARGETS].reverse();
          for (const target of order) {
            const phase = `${scenario} c=${concurrency} round ${r + 1}/${p.rounds}`;
            progress.begin(`${phase}: ${target}`, p.roundSeconds);
            entry.runs[target].push(await load(target, scenario, concurrency, p.roundSeconds, phase));
          }
        }
        closed.push(entry);
      }
    }
    const closedRows = closed.map((entry) => {
      const o = summarise(entry.runs.ours);
      const t = summarise(entry.runs.twin);
      const b = summarise(entry.runs.baseline);
      return {
        scenario: entry.scenario,
        concurrency: entry.concurrency,
        ours: o,
        twin: t,
        baseline: b,
        ratio: round(o.createdPerSecond / b.createdPerSecond, 2),
        oursVsTwin: round(o.createdPerSecond / t.createdPerSecond, 2),
      };
    });

    // Over-grants at the limit edge: each business has 5 campaigns left and gets 64 requests at once.
    progress.begin(`limit edge: ${p.edgeConcurrency} concurrent requests x ${p.edgeBusinesses} businesses`, 10);
    type EdgeTarget = 'ours' | 'baseline';
    const edge: Record<EdgeTarget, { granted: number; refused: number; other: number; rows: number; counted: number; overGranted: number; worst: number }> = {
      ours: { granted: 0, refused: 0, other: 0, rows: 0, counted: 0, overGranted: 0, worst: 0 },
      baseline: { granted: 0, refused: 0, other: 0, rows: 0, counted: 0, overGranted: 0, worst: 0 },
    };
    for (let i = 0; i < p.edgeBusinesses; i++) {
      for (const target of (i % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours']) as EdgeTarget[]) {
        const answers = await Promise.all(
          Array.from({ length: p.edgeConcurrency }, async (_, j) => {
            const res = await fetch(`${urls[target]}/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${edgeTokens[i]}` },
              body: body(target, `edge${i}_${j}`),
            });
            return { status: res.status, text: await res.text() };
          }),
        );
        const granted = answers.filter((a) => isCreated(target, a.status, a.text)).length;
        const refused = answers.filter((a) => a.text.includes('PLAN_LIMIT_EXCEEDED')).length;
        const e = edge[target];
        e.granted += granted;
        e.refused += refused;
        e.other += answers.length - granted - refused;
        e.overGranted += Math.max(0, granted - EDGE_LIMIT);
        e.worst = Math.max(e.worst, granted);
      }
    }
    await withClient(db.url, async (client) => {
      const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0].n);
      edge.ours.rows = await count(`SELECT count(*) AS n FROM campaigns WHERE business_id LIKE 'edge\\_%'`);
      edge.ours.counted = await count(`SELECT coalesce(sum(used), 0) AS n FROM usage_counters WHERE business_id LIKE 'edge\\_%' AND metric = 'campaigns'`);
      edge.baseline.rows = await count(`SELECT count(*) AS n FROM bench_campaigns WHERE business_id LIKE 'edge\\_%'`);
      edge.baseline.counted = await count(`SELECT coalesce(sum(used), 0) AS n FROM bench_usage WHERE business_id LIKE 'edge\\_%'`);
    });
    progress.stop();

    const out: string[] = [];
    out.push(
      `\nenforcement benchmark  (${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, ${machine.commit}${machine.dirty ? '+dirty' : ''}, load ${machine.loadAverage.join(' ')})`,
    );
    out.push(
      '\nClosed loop: campaigns created per second; ours = guarded createCampaign, twin = the same resolver without the decorator (same process), base = validate-then-track; same run',
    );
    out.push(
      formatTable(
        [
          'businesses', 'conc.',
          'ours/s', 'ours p50', 'ours p99',
          'twin/s', 'twin p50', 'twin p99',
          'base/s', 'base p50', 'base p99',
          'ours/twin', 'ours/base',
          'CPU µs/create ours', 'twin', 'base',
          'refused/errors ours', 'twin', 'base',
        ],
        closedRows.map((r) => [
          r.scenario === 'hot' ? '1 (hot)' : String(p.businesses),
          r.concurrency,
          ...[r.ours, r.twin, r.baseline].flatMap((m) => [Math.round(m.createdPerSecond), `${m.p50Ms} ms`, `${m.p99Ms} ms`]),
          r.oursVsTwin.toFixed(2),
          r.ratio.toFixed(2),
          ...[r.ours, r.twin, r.baseline].map((m) => m.cpuUsPerCreate ?? '-'),
          ...[r.ours, r.twin, r.baseline].map((m) => m.refused + m.errors),
        ]),
      ),
    );
    out.push(
      `\nSQL statements per request, counted by a query logger in the server (every pg client query, attributed to its request), ` +
        `${SQL_REQUESTS} sequential requests of each kind, interleaved, on a warm entitlements cache (${WARM_REQUESTS} of each first)`,
    );
    out.push(
      formatTable(
        ['request', 'requests', 'statements', 'per request', 'entitlement reads', 'statements seen (per request)'],
        sqlStatements.rows.map((r) => [r.label, r.requests, r.statements, r.perRequest, r.entitlementReads, r.seen]),
      ),
    );
    out.push(
      `guard on createCampaign: ${sqlStatements.guardOnCreate} statement(s) per request (guarded minus twin); ` +
        `feature check on a cache hit: ${sqlStatements.featureCheckAlone} (handler without SQL, minus its twin), ` +
        `${sqlStatements.featureGuardOnExport} on export.csv (guarded minus twin); ` +
        `${sqlStatements.outside} statement(s) outside the counted requests meanwhile (background work, not counted above)`,
    );
    const allowed = EDGE_LIMIT * p.edgeBusinesses;
    out.push(
      `\nLimit edge: ${p.edgeBusinesses} businesses with ${EDGE_LIMIT} campaigns left, ${p.edgeConcurrency} concurrent createCampaign each (${allowed} may succeed in all)`,
    );
    out.push(
      formatTable(
        ['target', 'granted', 'refused', 'other', 'campaign rows', 'usage counted', 'over-grants', 'most granted to one business'],
        (['ours', 'baseline'] as EdgeTarget[]).map((t) => [t, edge[t].granted, edge[t].refused, edge[t].other, edge[t].rows, edge[t].counted, edge[t].overGranted, edge[t].worst]),
      ),
    );
    process.stdout.write(`${out.join('\n')}\n`);
    if (edge.ours.overGranted !== 0 || edge.ours.rows !== allowed || edge.ours.counted !== allowed) {
      process.stdout.write(`\nOURS OVER-GRANTED OR MISCOUNTED AT THE LIMIT EDGE: ${JSON.stringify(edge.ours)}\n`);
    }
    if (sqlStatements.featureCheckAlone !== 0 || sqlStatements.rows.some((r) => r.entitlementReads > 0)) {
      process.stdout.write('\nA FEATURE CHECK SENT SQL, OR THE ENTITLEMENTS CACHE MISSED DURING THE COUNT: see the table above\n');
    }

    return {
      name: 'enforcement',
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      parameters: {
        ...p,
        bigPlan: BIG_PLAN,
        edgePlan: EDGE_PLAN,
        edgeLimit: EDGE_LIMIT,
        maxFailedShare: MAX_FAILED_SHARE,
        sqlRequests: SQL_REQUESTS,
        sqlWarmRequests: WARM_REQUESTS,
        logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
      },
      figures: { closed: closedRows, sqlStatements, edge },
    };
  } finally {
    progress.stop();
    for (const child of children) await child.stop();
    await db.stop();
  }
}

interface SqlProbe {
  label: string;
  method: 'GET' | 'POST';
  path: string;
  token: 'writer' | 'reader';
  body?: (i: number) => string;
  /** Whether the answer is the success this kind of request is measured for. */
  ok: (status: number, text: string) => boolean;
}

/**
 * Sends SQL_REQUESTS of each probe one at a time (interleaved, so background work and any cache
 * expiry fall on all alike), each labelled, after WARM_REQUESTS unlabelled ones of each have
 * filled the entitlements cache; the server's query logger counts what each label sent.
 * Entitlement snapshot reads are counted apart: non-zero means a cache miss during the count.
 */
async function countSqlStatements(url: string, options: { writer: string; reader: string; progress: Progress }) {
  const graphql = (field: string) => (i: number) => JSON.stringify({ query: createMutation(field), variables: { name: `sql${i}` } });
  const created = (field: string) => (status: number, text: string) => status === 200 && text.includes(`"${field}":{`);
  const ok200 = (status: number) => status === 200;
  const probes: SqlProbe[] = [
    { label: 'createCampaign (guarded)', method: 'POST', path: '/graphql', token: 'writer', body: graphql(CREATE_FIELD.ours), ok: created(CREATE_FIELD.ours) },
    { label: 'createCampaign twin (no decorator)', method: 'POST', path: '/graphql', token: 'writer', body: graphql(CREATE_FIELD.twin), ok: created(CREATE_FIELD.twin) },
    { label: 'GET export.csv (@RequiresFeature)', method: 'GET', path: '/api/campaigns/export.csv', token: 'reader', ok: ok200 },
    { label: 'GET export.csv twin (no decorator)', method: 'GET', path: '/bench/campaigns/export-unguarded.csv', token: 'reader', ok: ok200 },
    { label: 'feature check alone (@RequiresFeature, no SQL in handler)', method: 'GET', path: '/bench/feature-check', token: 'reader', ok: ok200 },
    { label: 'feature check twin (no decorator)', method: 'GET', path: '/bench/feature-check-unguarded', token: 'reader', ok: ok200 },
    { label: 'GET can-create (canUse: reads the counter)', method: 'GET', path: '/api/campaigns/can-create', token: 'reader', ok: ok200 },
  ];
  const send = async (probe: SqlProbe, i: number, labelled: boolean) => {
    const headers: Record<string, string> = { authorization: `Bearer ${options[probe.token]}` };
    if (probe.body) headers['content-type'] = 'application/json';
    if (labelled) headers[SQL_LABEL_HEADER] = probe.label;
    const res = await fetch(`${url}${probe.path}`, { method: probe.method, headers, body: probe.body?.(i) });
    const text = await res.text();
    if (!probe.ok(res.status, text)) throw new Error(`SQL count: ${probe.label} answered HTTP ${res.status} ${text.slice(0, 300)}`);
  };
  options.progress.begin('SQL statements per request: warm-up', 2);
  for (let i = 0; i < WARM_REQUESTS; i++) for (const probe of probes) await send(probe, i, false);
  options.progress.begin(`SQL statements per request: ${SQL_REQUESTS} x ${probes.length} sequential requests`, 8);
  const control = async (action: 'start' | 'stop') => {
    const res = await fetch(`${url}/bench/sql-statements/${action}`, { method: 'POST' });
    if (!res.ok) throw new Error(`bench/sql-statements/${action} answered HTTP ${res.status}`);
    return res;
  };
  await control('start');
  for (let i = 0; i < SQL_REQUESTS; i++) for (const probe of probes) await send(probe, WARM_REQUESTS + i, true);
  const counts = (await (await control('stop')).json()) as SqlStatementCounts;

  const rows = probes.map((probe) => {
    const c = counts.labels[probe.label] ?? { requests: 0, statements: 0, entitlementReads: 0, byStatement: {} };
    if (c.requests !== SQL_REQUESTS) throw new Error(`SQL count: the server saw ${c.requests} labelled "${probe.label}" requests, ${SQL_REQUESTS} were sent`);
    const perRequest = round(c.statements / c.requests, 2);
    const seen = Object.entries(c.byStatement)
      .map(([sql, n]) => `${sql.slice(0, 40)}${sql.length > 40 ? '…' : ''} x${round(n / c.requests, 2)}`)
      .join('; ');
    return { label: probe.label, requests: c.requests, statements: c.statements, perRequest, entitlementReads: c.entitlementReads, seen: seen || '-', byStatement: c.byStatement };
  });
  const per = (label: string) => rows.find((r) => r.label === label)!.perRequest;
  return {
    rows,
    guardOnCreate: round(per(probes[0].label) - per(probes[1].label), 2),
    featureGuardOnExport: round(per(probes[2].label) - per(probes[3].label), 2),
    featureCheckAlone: round(per(probes[4].label) - per(probes[5].label), 2),
    outside: counts.outside.statements,
    outsideByStatement: counts.outside.byStatement,
  };
}

/** Sums the rounds: rates over the total time, latencies from the worst round (conservative). */
function summarise(runs: (LoadFigures & { created: number; refused: number; cpuUsPerCreate: number | null })[]) {
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const created = runs.reduce((sum, r) => sum + r.created, 0);
  const cpu = runs.map((r) => r.cpuUsPerCreate).filter((v): v is number => v !== null);
  return {
    created,
    refused: runs.reduce((sum, r) => sum + r.refused, 0),
    errors: runs.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    createdPerSecond: created / seconds,
    p50Ms: Math.max(...runs.map((r) => r.p50Ms)),
    p99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    cpuUsPerCreate: cpu.length > 0 ? round(cpu.reduce((a, b) => a + b, 0) / cpu.length, 0) : null,
  };
}
