/**
 * The Stripe simulator of a running `npm start` on this machine (it listens on 127.0.0.1 at
 * STRIPE_SIM_PORT): its URL, or null when nothing there answers as the simulator.
 */
export async function findRunningSimulator(port: number): Promise<string | null> {
  const url = `http://127.0.0.1:${port}`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    const body = (await res.json()) as { simulator?: unknown };
    return body.simulator === 'stripe' ? url : null;
  } catch {
    return null;
  }
}
