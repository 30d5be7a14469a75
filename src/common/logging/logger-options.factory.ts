import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config.types.js';

/** Paths pino replaces with "[redacted]": credentials, cookies and Stripe signatures. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
];

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Pretty logs (pino-pretty, in a worker thread) only for a person at a terminal outside
 * production; JSON lines everywhere else, so log shippers and `| jq` get one object per line.
 */
export function prettyLogTransport(isProduction: boolean, stdoutIsTty: boolean): { target: string; options: Record<string, unknown> } | undefined {
  if (isProduction || !stdoutIsTty) return undefined;
  return { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } };
}

export function buildLoggerOptions(config: AppConfig, stdoutIsTty = process.stdout.isTTY === true): Params {
  const transport = prettyLogTransport(config.isProduction, stdoutIsTty);
  return {
    pinoHttp: {
      level: config.logLevel,
      ...(transport ? { transport } : {}),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Reuse a caller's request id (from a proxy) when it is well formed, else mint one.
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
      customProps: () => ({ service: 'billing-service' }),
    },
  };
}
