import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../../src/app-config.sections.js';
import { CliModule } from '../../src/cli/cli.module.js';
import { openCliDatabase } from '../../src/cli/cli-database.util.js';
import { TrialExpiryService } from '../../src/trials/trial-expiry.service.js';
import { type BenchResult, describeMachine, formatTable, REPO_ROOT, round, startBenchDatabase } from '../lib/bench-env.js';
import { Progress } from '../lib/progress.js';

interface Parameters {
  sizes: number[];
  /** Rounds per size; each round times ours and the raw UPDATE once, in alternating order. */
  rounds: number;
  batch: number;
}

function parameters(): Parameters {
  return {
    sizes: (process.env.BENCH_TRIAL_SIZES ?? '10000,100000').split(',').map(Number),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    batch: Number(process.env.TRIAL_EXPIRY_BATCH ?? 1000),
  };
}

/*
 * What the job sets on each due row (EXPIRE_BATCH_SQL in src/trials/trials.sql.ts), as one
 * statement over all of them: no batches, no log rows, no domain events, no lock.
 */
const RAW_UPDATE_SQL = `
  UPDATE billing_accounts SET trial_status = 'expired', billing_sync_status = 'trial_expired', updated_at = now()
   WHERE trial_status = 'active' AND trial_source = 'app' AND trial_ends_at <= $1`;

interface Sample {
  rows: number;
  target: 'ours' | 'raw';
  seconds: number;
}

/**
 * `npm run bench trials`: the scheduled trial expiry (TrialExpiryService.run, batches of
 * TRIAL_EXPIRY_BATCH, each batch one transaction with its log rows, entitlements invalidation
 * and domain events) against one raw UPDATE of the same due rows. The service's modules are
 * booted in this process as `npm run cli -- expire-trials` boots them (CliModule), so the time
 * is the job's, not a process start. See bench/README.md.
 */
export async function runTrialsBench(): Promise<BenchResult> {
  const p = parameters();
  const startedAt = new Date().toISOString();
  const seedSeconds = (n: number) => 2 + n / 20_000;
  const planned = 30 + p.rounds * p.sizes.reduce((sum, n) => sum + 2 * seedSeconds(n) + n / 10_000 + n / 50_000, 0);
  const progress = new Progress(Math.round(planned));
  const machine = describeMachine();
  progress.begin('starting PostgreSQL and the service modules', 20);
  const db = await startBenchDatabase((line) => progress.log(line));
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: db.url,
    AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
    // The job never calls Stripe; a key is required once DATABASE_URL is set.
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_API_BASE: 'http://127.0.0.1:1',
    TRIAL_EXPIRY_BATCH: String(p.batch),
  };
  const loaded = loadAppConfig(env, REPO_ROOT);
  if (!loaded.ok) throw new Error(`configuration refused:\n${loaded.errors.join('\n')}`);
  // The CLI's own configuration: jobs and workers off, only what a command needs.
  const { config } = await openCliDatabase(loaded.config, (line) => progress.log(line));
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const expiry = app.get(TrialExpiryService);
    const dataSource = app.get(DataSource);
    const now = new Date();

    const reset = async (rows: number) => {
      await dataSource.query('TRUNCATE billing_accounts, billing_sync_log, domain_events CASCADE');
      // Set-based, as test/e2e/trials.e2e-spec.ts seedTrials: card-less trials, ended a day ago.
      await dataSource.query(
        `INSERT INTO billing_accounts (business_id, plan_key, billing_sync_status, trial_status, trial_source, trial_plan_key,
                                       trial_started_at, trial_ends_at)
         SELECT 'bench_trial_' || g, 'free', 'account_created', 'active', 'app', 'glow_up',
                $1::timestamptz - interval '15 days', $1::timestamptz - interval '1 day' - (g || ' milliseconds')::interval
           FROM generate_series(1, $2) AS g`,
        [now, rows],
      );
      // Same starting point for both: fresh statistics, dirty pages written out.
      await dataSource.query('VACUUM ANALYZE billing_accounts');
      await dataSource.query('CHECKPOINT');
    };

    const verifyOurs = async (rows: number, reported: number) => {
      const [accounts] = await dataSource.query(
        `SELECT count(*) FILTER (WHERE trial_status = 'expired')::int AS expired,
                count(*) FILTER (WHERE trial_status <> 'expired')::int AS other FROM billing_accounts`,
      );
      const [log] = await dataSource.query(
        `SELECT count(*)::int AS n, count(DISTINCT business_id)::int AS businesses FROM billing_sync_log
          WHERE status = 'trial_expired' AND source = 'scheduler'`,
      );
      const [events] = await dataSource.query(
        `SELECT count(*)::int AS n, count(DISTINCT business_id)::int AS businesses FROM domain_events WHERE name = 'trial.expired'`,
      );
      const problems = [
        reported !== rows && `the job reported ${reported} expired`,
        accounts.expired !== rows && `${accounts.expired} accounts expired`,
        accounts.other !== 0 && `${accounts.other} accounts not expired`,
        (log.n !== rows || log.businesses !== rows) && `${log.n} log rows for ${log.businesses} businesses`,
        (events.n !== rows || events.businesses !== rows) && `${events.n} trial.expired events for ${events.businesses} businesses`,
      ].filter(Boolean);
      if (problems.length > 0) throw new Error(`trial expiry of ${rows} rows is wrong: ${problems.join('; ')} (expected ${rows} each)`);
      return { accountsExpired: accounts.expired as number, logRows: log.n as number, domainEvents: events.n as number };
    };

    const time = async (target: Sample['target'], rows: number) => {
      progress.begin(`${rows} rows: seeding`, seedSeconds(rows));
      await reset(rows);
      progress.begin(`${rows} rows: ${target === 'ours' ? 'TrialExpiryService.run' : 'raw UPDATE'}`, target === 'ours' ? rows / 10_000 : rows / 50_000);
      const started = process.hrtime.bigint();
      let reported: number;
      if (target === 'ours') {
        const result = await expiry.run(now);
        if (!result.ran) throw new Error('the expiry lock was taken: nothing else should run in this database');
        reported = result.expired;
      } else {
        const [, affected]: [unknown, number] = await dataSource.query(RAW_UPDATE_SQL, [now]);
        reported = affected;
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (target === 'ours') {
        const checked = await verifyOurs(rows, reported);
        progress.log(`ours ${rows}: ${round(seconds, 2)} s, checked: ${JSON.stringify(checked)}`);
      } else {
        if (reported !== rows) throw new Error(`the raw UPDATE changed ${reported} rows, expected ${rows}`);
        progress.log(`raw UPDATE ${rows}: ${round(seconds, 3)} s`);
      }
      return { rows, target, seconds };
    };

    // Warm-up: plans, connections and statement paths, so the first timed run pays no first-use cost.
    progress.begin('warm-up', 3);
    await reset(1_000);
    await expiry.run(now);

    const samples: Sample[] = [];
    for (let r = 0; r < p.rounds; r++) {
      for (const rows of p.sizes) {
        const order: Sample['target'][] = r % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours'];
        for (const target of order) samples.push(await time(target, rows));
      }
    }
    progress.stop();

    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    };
    const table = p.sizes.map((rows) => {
      const of = (target: Sample['target']) => samples.filter((s) => s.rows === rows && s.target === target).map((s) => s.seconds);
      const ours = median(of('ours'));
      const raw = median(of('raw'));
      const spread = (values: number[]) => `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;
      return {
        rows,
        oursSeconds: round(ours, 3),
        rawSeconds: round(raw, 3),
        ratio: round(ours / raw, 1),
        oursRowsPerSecond: Math.round(rows / ours),
        oursRange: spread(of('ours')),
        rawRange: spread(of('raw')),
      };
    });
    const scaling =
      table.length >= 2
        ? {
            from: table[0].rows,
            to: table[table.length - 1].rows,
            rowsFactor: round(table[table.length - 1].rows / table[0].rows, 1),
            ours: round(table[table.length - 1].oursSeconds / table[0].oursSeconds, 1),
            raw: round(table[table.length - 1].rawSeconds / table[0].rawSeconds, 1),
          }
        : null;

    const out: string[] = [];
    out.push(
      `\ntrials benchmark  (${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, ${machine.commit}${machine.dirty ? '+dirty' : ''}, load ${machine.loadAverage.join(' ')})`,
    );
    out.push(`\nDue card-less trials expired: TrialExpiryService.run (batches of ${p.batch}) vs one raw UPDATE of the same rows; median of ${p.rounds} runs each`);
    out.push(
      formatTable(
        ['rows', 'ours (s)', 'raw UPDATE (s)', 'ratio ours/raw', 'ours rows/s', `ours min-max (${p.rounds} runs)`, 'raw min-max'],
        table.map((t) => [t.rows, t.oursSeconds.toFixed(3), t.rawSeconds.toFixed(3), t.ratio.toFixed(1), t.oursRowsPerSecond, t.oursRange, t.rawRange]),
      ),
    );
    if (scaling) {
      out.push(
        `\nScaling ${scaling.from} -> ${scaling.to} rows (x${scaling.rowsFactor}): ours x${scaling.ours}, raw UPDATE x${scaling.raw} (x${scaling.rowsFactor} = linear)`,
      );
    }
    out.push('Checked after each run of ours: every row expired once, one billing_sync_log row and one trial.expired domain event per trial.');
    process.stdout.write(`${out.join('\n')}\n`);

    return {
      name: 'trials',
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      parameters: { ...p, asOf: now.toISOString(), rawUpdate: RAW_UPDATE_SQL.replace(/\s+/g, ' ').trim() },
      figures: { table, scaling, samples: samples.map((s) => ({ ...s, seconds: round(s.seconds, 4) })) },
    };
  } finally {
    progress.stop();
    await app.close();
    await db.stop();
  }
}
