import { createServer } from 'node:net';

/** The first port from `start` on that nothing listens on at 127.0.0.1. */
export async function findFreePort(start: number, attempts = 100): Promise<number> {
  for (let port = start; port < start + attempts; port++) {
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port between ${start} and ${start + attempts - 1}`);
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
