import { startStripeSimulator } from './server.js';
import { DEFAULT_PORT, DEFAULT_WEBHOOK_SECRET } from './core/constants.js';

/** `npm run stripe:sim`: the simulator on its own, for local development against the app. */
async function main(): Promise<void> {
  const rawPort = process.env['STRIPE_SIM_PORT'];
  const port = rawPort ? Number(rawPort) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`STRIPE_SIM_PORT must be a port number, got ${rawPort}`);
  const webhookUrl = process.env['STRIPE_SIM_WEBHOOK_URL'] || undefined;
  const webhookSecret = process.env['STRIPE_SIM_WEBHOOK_SECRET'] || DEFAULT_WEBHOOK_SECRET;
  const sim = await startStripeSimulator({
    port,
    host: process.env['STRIPE_SIM_HOST'] || '127.0.0.1',
    webhookUrl,
    webhookSecret,
    log: (msg) => console.error(`[stripe-sim] ${msg}`),
  });
  const hooks = webhookUrl ? `, webhooks to ${webhookUrl} signed with ${webhookSecret}` : ', no webhook endpoint (set STRIPE_SIM_WEBHOOK_URL)';
  console.log(`Stripe simulator listening on ${sim.url} (STRIPE_API_BASE=${sim.url})${hooks}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`Stripe simulator stopping (${signal})`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`Stripe simulator failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
