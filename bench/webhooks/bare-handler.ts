import { createServer } from 'node:http';
import pg from 'pg';
import Stripe from 'stripe';

/**
 * The yardstick for our webhook intake: a bare Node `http` handler that does only what any
 * intake must do, verify the signature (the SDK's constructEvent) and
 * `INSERT ... ON CONFLICT DO NOTHING` the event into a table, with the same pool size as the
 * service. Run as its own process by the `webhooks` benchmark.
 */
const secret = required('BENCH_WEBHOOK_SECRET');
const pool = new pg.Pool({ connectionString: required('DATABASE_URL'), max: 10, application_name: 'bench-bare-handler' });
pool.on('error', () => undefined);
const verifier = new Stripe('sk_test_bench_verifier');
const LIMIT = 512 * 1024;

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
    const raw = Buffer.concat(chunks);
    let event: Stripe.Event;
    try {
      event = verifier.webhooks.constructEvent(raw, String(req.headers['stripe-signature'] ?? ''), secret);
    } catch {
      return void res.writeHead(400).end();
    }
    pool
      .query('INSERT INTO bench_bare_events (id, type, payload) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        event.id,
        event.type,
        raw.toString('utf8'),
      ])
      .then(
        () => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: true, id: event.id }));
        },
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
