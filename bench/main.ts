import { writeResult } from './lib/bench-env.js';
import type { BenchResult } from './lib/bench-env.js';
import { runEnforcementBench } from './enforcement/enforcement.bench.js';
import { runTrialsBench } from './trials/trials.bench.js';
import { runWebhooksBench } from './webhooks/webhooks.bench.js';

/** `npm run bench [name]`: runs one benchmark, or all of them, and writes bench/results/<name>.json. */
const BENCHMARKS: Record<string, () => Promise<BenchResult>> = {
  webhooks: runWebhooksBench,
  enforcement: runEnforcementBench,
  trials: runTrialsBench,
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = requested.filter((name) => !BENCHMARKS[name]);
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; available: ${Object.keys(BENCHMARKS).join(', ')}\n`);
    process.exit(2);
  }
  for (const name of requested.length > 0 ? requested : Object.keys(BENCHMARKS)) {
    const result = await BENCHMARKS[name]();
    process.stdout.write(`\nwrote ${writeResult(result)}\n`);
  }
  // Pools and timers of the in-process simulator may linger; the figures are written.
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
