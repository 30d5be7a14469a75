import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  /** The raw body exactly as sent, which is what signatures are computed over. */
  body: string;
  headers: IncomingHttpHeaders;
  signature: string;
}

/**
 * A throwaway HTTP endpoint for tests: records every POST and answers with `status()` (200 by
 * default), so tests can make deliveries fail and watch the retries.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  status: (webhook: ReceivedWebhook, index: number) => number = () => 200;
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const webhook: ReceivedWebhook = {
          body: Buffer.concat(chunks).toString('utf8'),
          headers: req.headers,
          signature: String(req.headers['stripe-signature'] ?? ''),
        };
        this.received.push(webhook);
        const status = this.status(webhook, this.received.length - 1);
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/webhooks`;
    return this;
  }

  /** Parsed event types in arrival order. */
  types(): string[] {
    return this.received.map((w) => (JSON.parse(w.body) as { type: string }).type);
  }

  clear(): void {
    this.received.length = 0;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
