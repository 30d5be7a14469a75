import { createServer } from 'node:http';
import { jwtVerify } from 'jose';
import pg from 'pg';

/**
 * The yardstick for guarded createCampaign: a bare Node `http` handler that enforces the
 * campaign limit the way the seed did, validate then track: read the plan's limit and the
 * usage, compare, insert the campaign, then increment the usage, each its own statement (no
 * transaction, no lock). It verifies the same HS256 token as the service and answers in the
 * same GraphQL shape, on its own tables (bench_campaigns, bench_usage) of the same database,
 * with the same pool size. Run as its own process by the `enforcement` benchmark.
 */
const secret = new TextEncoder().encode(required('BENCH_JWT_SECRET'));
const pool = new pg.Pool({ connectionString: required('DATABASE_URL'), max: 10, application_name: 'bench-validate-then-track' });
pool.on('error', () => undefined);
const LIMIT = 64 * 1024;

async function createCampaign(authorization: string, body: string): Promise<{ status: number; body: unknown }> {
  let businessId: string;
  let userId: string;
  try {
    const { payload } = await jwtVerify(authorization.replace(/^Bearer /, ''), secret, { algorithms: ['HS256'], requiredClaims: ['exp'] });
    businessId = String(payload.business_id);
    userId = String(payload.sub);
  } catch {
    return { status: 200, body: { errors: [{ message: 'Invalid token', extensions: { code: 'UNAUTHENTICATED' } }] } };
  }
  const name = String((JSON.parse(body) as { variables?: { name?: string } }).variables?.name ?? '');
  // 1. Read: the plan's limit and what is used.
  const plan = await pool.query<{ lim: number | null }>(
    `SELECT (p.limits->'campaigns'->>'limit')::int AS lim FROM billing_accounts a JOIN plans p ON p.key = a.plan_key
      WHERE a.business_id = $1`,
    [businessId],
  );
  const limit = plan.rows[0]?.lim ?? 1;
  const usage = await pool.query<{ used: number }>('SELECT used FROM bench_usage WHERE business_id = $1', [businessId]);
  const used = usage.rows[0]?.used ?? 0;
  // 2. Compare.
  if (limit !== -1 && used + 1 > limit) {
    return { status: 200, body: { errors: [{ message: `Plan limit reached: ${used} of ${limit}`, extensions: { code: 'PLAN_LIMIT_EXCEEDED' } }] } };
  }
  // 3. Insert, 4. then track.
  const inserted = await pool.query<{ id: string; name: string }>(
    'INSERT INTO bench_campaigns (business_id, name, created_by) VALUES ($1, $2, $3) RETURNING id, name',
    [businessId, name, userId],
  );
  await pool.query(
    `INSERT INTO bench_usage (business_id, used) VALUES ($1, 1)
     ON CONFLICT (business_id) DO UPDATE SET used = bench_usage.used + 1, updated_at = now()`,
    [businessId],
  );
  return { status: 200, body: { data: { createCampaign: inserted.rows[0] } } };
}

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200).end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= LIMIT) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > LIMIT) return void res.writeHead(413).end();
    createCampaign(String(req.headers.authorization ?? ''), Buffer.concat(chunks).toString('utf8')).then(
      (answer) => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body)),
      () => res.writeHead(503).end(),
    );
  });
});
server.listen(Number(required('PORT')), '127.0.0.1');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}
