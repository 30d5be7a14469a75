import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { restErrorBody, toAppException } from '../common/filters/app-exception.filter.js';
import { RequestErrorCode, RequestException } from '../common/exceptions/request.exception.js';
import { StripeWebhookService } from './stripe-webhook.service.js';

/** Paths Stripe delivers to. */
export const STRIPE_WEBHOOK_PATHS = ['/api/webhooks/stripe', '/api/stripe/webhook'];
const PATHS = new Set(STRIPE_WEBHOOK_PATHS);
/** Stripe events stay well under this. */
export const STRIPE_WEBHOOK_BODY_LIMIT = 512 * 1024;

/**
 * POST /api/webhooks/stripe, answered on the HTTP server before Express and Nest see the
 * request. Stripe authenticates with the signature, so nothing of the global pipeline applies
 * (auth guard, validation pipe, body parsers, request logger), and that pipeline cost more CPU
 * per event than verifying and storing it (bench/README.md). The body is read as raw bytes for
 * the signature (over 512 kB: 413 without reading further) and parsed once, after the check.
 * Errors have the same body as everywhere else (AppExceptionFilter). Every other request goes to
 * Express unchanged. Only failures are logged: the inbox row records every accepted event.
 */
export function mountStripeWebhooks(app: NestExpressApplication): void {
  const service = app.get(StripeWebhookService);
  const logger = new Logger('StripeWebhookController');
  const server: Server = app.getHttpServer();
  const others = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && PATHS.has(pathOf(req.url))) {
      receive(service, logger, req, res);
      return;
    }
    for (const listener of others) listener.call(server, req, res);
  });
}

function receive(service: StripeWebhookService, logger: Logger, req: IncomingMessage, res: ServerResponse): void {
  const fail = (exception: unknown) => {
    const error = toAppException(exception, logger);
    logger.warn({ path: req.url, status: error.httpStatus, code: error.code }, `webhook refused: ${error.message}`);
    send(res, error.httpStatus, restErrorBody(error));
  };
  const tooLarge = () => {
    // Nothing more is kept; Node discards the rest of the body once the answer is sent.
    fail(new RequestException(RequestErrorCode.PAYLOAD_TOO_LARGE, `Request body is larger than ${STRIPE_WEBHOOK_BODY_LIMIT} bytes`));
  };
  if (Number(req.headers['content-length'] ?? 0) > STRIPE_WEBHOOK_BODY_LIMIT) return tooLarge();

  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > STRIPE_WEBHOOK_BODY_LIMIT) {
      refused = true;
      chunks.length = 0;
      tooLarge();
      return;
    }
    chunks.push(chunk);
  });
  req.on('error', (error) => {
    if (!refused) fail(new RequestException(RequestErrorCode.BAD_USER_INPUT, `Request body could not be read: ${error.message}`));
    refused = true;
  });
  req.on('end', () => {
    if (refused) return;
    const signature = req.headers['stripe-signature'];
    service
      .receive(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), typeof signature === 'string' ? signature : undefined)
      .then((receipt) => send(res, 200, receipt), fail);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function pathOf(url: string | undefined): string {
  const path = url ?? '';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}
