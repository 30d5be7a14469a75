import { createServer, type Server } from 'node:http';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service.js';
import { MetricsService } from './metrics.service.js';

/**
 * METRICS_PORT: /metrics without authentication on a port of its own, on METRICS_HOST (default
 * every interface, as a scraper in another container needs). Keeping it from anyone but the
 * scraper is the deployment's job: never route the port through the public load balancer.
 */
@Injectable()
export class MetricsServerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServerService.name);
  private server: Server | undefined;

  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.metrics.enableDefaultMetrics();
    const { port, host } = this.config.values.metrics;
    if (port === undefined) return;
    this.server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      this.metrics.render().then(
        ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
        (error: unknown) => {
          this.logger.error({ err: error }, 'metrics scrape failed');
          response.writeHead(500).end();
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.logger.log(`metrics served on ${host ?? 'every interface'}, port ${port}, at /metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The bound port, once listening. */
  get port(): number | undefined {
    return this.boundAddress?.port;
  }

  /** The bound address and port, once listening. */
  get boundAddress(): { address: string; port: number } | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? { address: address.address, port: address.port } : undefined;
  }
}
