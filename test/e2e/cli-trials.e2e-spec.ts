import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulatedStripe, type SimulatedStripe } from '../utils/billing-with-simulator.js';
import { createTestApp, type TestApp } from '../utils/create-test-app.js';
import { buildCli, runCli, type CliResult } from '../utils/run-cli.js';

const DAY_MS = 86_400_000;
// Each CLI run boots the service's modules in a fresh process: seconds on a busy machine.
const CLI_TIMEOUT = 240_000;

interface ExpireJson {
  expired: number;
  reminded: number;
  ran: boolean;
  asOf: string;
}

describe('npm run cli -- expire-trials (a real process on the test database)', () => {
  let stripe: SimulatedStripe;
  let t: TestApp;
  let cliEnv: Record<string, string | undefined>;
  const cli = (...args: string[]): Promise<CliResult> => runCli(['expire-trials', ...args], cliEnv);

  beforeAll(async () => {
    const built = buildCli();
    // A CLI on a real DATABASE_URL needs a Stripe key; expire-trials itself never calls Stripe.
    stripe = await startSimulatedStripe();
    // The service itself runs no job here: only the CLI expires.
    t = await createTestApp({ env: { ...stripe.env, TRIAL_EXPIRY_ENABLED: 'false' } });
    // DATABASE_URL counts as real infrastructure: the public development JWT secret is refused there.
    cliEnv = { ...stripe.env, DATABASE_URL: t.databaseUrl, AUTH_JWT_SECRET: 'cli-test-secret-of-at-least-32-characters' };
    await built;
  }, CLI_TIMEOUT);
  afterAll(async () => {
    await t?.close();
    await stripe?.close();
  });

  /** Card-less trials as startTrial leaves them, ending `endOffsetMs` from the database's now. */
  async function seedTrials(prefix: string, count: number, endOffsetMs: number): Promise<void> {
    await t.dataSource.query(
      `INSERT INTO billing_accounts (business_id, plan_key, billing_sync_status, trial_status, trial_source, trial_plan_key,
                                     trial_started_at, trial_ends_at)
       SELECT $1 || g, 'free', 'account_created', 'active', 'app', 'glow_up', now() - interval '14 days',
              now() + ($2 || ' milliseconds')::interval
         FROM generate_series(1, $3) AS g`,
      [prefix, endOffsetMs, count],
    );
  }

  async function statuses(prefix: string): Promise<Record<string, number>> {
    const rows: { trial_status: string; n: number }[] = await t.dataSource.query(
      `SELECT trial_status, count(*)::int AS n FROM billing_accounts WHERE starts_with(business_id, $1) GROUP BY trial_status`,
      [prefix],
    );
    return Object.fromEntries(rows.map((r) => [r.trial_status, r.n]));
  }

  /** Per trial of the prefix: how many log rows and trial.expired outbox rows exist (count and distinct businesses). */
  async function written(prefix: string): Promise<{ logs: number; logBusinesses: number; events: number; eventBusinesses: number }> {
    const [row] = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM billing_sync_log WHERE status = 'trial_expired' AND starts_with(business_id, $1)) AS logs,
              (SELECT count(DISTINCT business_id)::int FROM billing_sync_log WHERE status = 'trial_expired' AND starts_with(business_id, $1)) AS "logBusinesses",
              (SELECT count(*)::int FROM domain_events WHERE name = 'trial.expired' AND starts_with(business_id, $1)) AS events,
              (SELECT count(DISTINCT business_id)::int FROM domain_events WHERE name = 'trial.expired' AND starts_with(business_id, $1)) AS "eventBusinesses"`,
      [prefix],
    );
    return row;
  }

  it('refuses a --now without a zone and a --now in the future (without --force) with exit code 2, changing nothing', async () => {
    await seedTrials('cli_refused_', 3, -DAY_MS);
    const [noZone, dateOnly, future] = await Promise.all([
      cli('--now', '2026-12-01T00:00:00'),
      cli('--now', '2026-12-01'),
      cli('--now', new Date(Date.now() + 30 * DAY_MS).toISOString(), '--json'),
    ]);
    expect(noZone.code).toBe(2);
    expect(noZone.stderr).toContain('--now "2026-12-01T00:00:00" names no time zone: add Z (UTC) or an offset');
    expect(dateOnly.code).toBe(2);
    expect(dateOnly.stderr).toContain('names no time zone');
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/--now .* is in the future .* add --force/);
    expect(future.stdout).toBe('');
    expect(await statuses('cli_refused_')).toEqual({ active: 3 });
  }, CLI_TIMEOUT);

  it('two runs at the same time expire every due trial once: one log row and one trial.expired outbox row each; --json parses', async () => {
    await seedTrials('cli_due_', 40, -DAY_MS);
    await seedTrials('cli_later_', 5, 10 * DAY_MS);
    const asOf = new Date().toISOString();
    const runs = await Promise.all([cli('--now', asOf, '--json'), cli('--now', asOf, '--json')]);
    for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const results = runs.map((run) => JSON.parse(run.stdout) as ExpireJson);
    for (const result of results) expect(result).toEqual({ expired: expect.any(Number), reminded: 0, ran: expect.any(Boolean), asOf });
    // The refused test's 3 trials were due too.
    expect(results[0].expired + results[1].expired).toBe(43);

    expect(await statuses('cli_due_')).toEqual({ expired: 40 });
    expect(await statuses('cli_refused_')).toEqual({ expired: 3 });
    expect(await statuses('cli_later_')).toEqual({ active: 5 });
    expect(await written('cli_due_')).toEqual({ logs: 40, logBusinesses: 40, events: 40, eventBusinesses: 40 });

    // A third run as of the same time finds nothing; without --json it says so in words.
    const again = await cli('--now', asOf);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`expired 0 trials, sent 0 reminders as of ${asOf}\n`);
  }, CLI_TIMEOUT);

  it('runs as of a future time with --force: the later trials expire, reminders go out for none left', async () => {
    const asOf = new Date(Date.now() + 11 * DAY_MS).toISOString();
    const forced = await cli('--now', asOf, '--force', '--json');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({ expired: 5, reminded: 0, ran: true, asOf });
    expect(await statuses('cli_later_')).toEqual({ expired: 5 });
    expect(await written('cli_later_')).toEqual({ logs: 5, logBusinesses: 5, events: 5, eventBusinesses: 5 });
  }, CLI_TIMEOUT);
});
