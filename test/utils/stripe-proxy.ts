import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
}

/**
 * A real HTTP hop between the app's Stripe SDK and the simulator, to make Stripe unreachable
 * (`down`: connections are cut, as when Stripe is out) or to run code while a request is in
 * flight (`onResponse`: the simulator has answered, the app has not received it yet). When
 * `onResponse` answers 'drop', the connection is cut instead of answering: Stripe made the
 * change, and the app sees a network failure (a timeout after the fact). When `onRequest` answers
 * 'drop', the connection is cut before the request reaches the simulator: the app sees the same
 * network failure, and Stripe made no change.
 */
export interface StripeProxy {
  url: string;
  down: boolean;
  onResponse?: (request: ProxiedRequest) => Promise<void | 'drop'>;
  onRequest?: (request: ProxiedRequest) => 'drop' | void;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

export async function startStripeProxy(targetUrl: string): Promise<StripeProxy> {
  const target = new URL(targetUrl);
  const proxy: StripeProxy = { url: '', down: false, requests: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    if (proxy.down) {
      req.socket.destroy();
      return;
    }
    const info = { method: req.method ?? 'GET', path: req.url ?? '/' };
    proxy.requests.push(info);
    if (proxy.onRequest?.(info) === 'drop') {
      req.socket.destroy();
      return;
    }
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer: IncomingMessage) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          void (async () => {
            if ((await proxy.onResponse?.(info)) === 'drop') {
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(chunks));
          })();
        });
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
