import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { GqlContextType } from '@nestjs/graphql';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import { AppException } from '../exceptions/app.exception.js';
import { RequestErrorCode, RequestException } from '../exceptions/request.exception.js';
import { isDatabaseUnavailable } from '../../database/database-unavailable.util.js';

const HTTP_STATUS_CODES: Record<number, RequestErrorCode> = {
  400: RequestErrorCode.BAD_USER_INPUT,
  404: RequestErrorCode.NOT_FOUND,
  413: RequestErrorCode.PAYLOAD_TOO_LARGE,
  429: RequestErrorCode.TOO_MANY_REQUESTS,
  503: RequestErrorCode.SERVICE_UNAVAILABLE,
};

/** Seconds a client should wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The one place where errors become responses: a GraphQLError with `extensions.code` for
 * GraphQL, a JSON body `{ statusCode, code, message, ...details }` for REST. Anything that is
 * not an AppException or HttpException is a bug: logged, and shown only as INTERNAL_SERVER_ERROR.
 */
const RETRYABLE_STATUSES = new Set([429, 503]);

@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(AppExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): unknown {
    const error = toAppException(exception, this.logger);
    if (host.getType<GqlContextType>() === 'graphql') {
      const retryAfter = retryAfterOf(error);
      // Outages and rate limits keep their HTTP status in GraphQL too, so clients and proxies retry.
      const http = RETRYABLE_STATUSES.has(error.httpStatus)
        ? { http: { status: error.httpStatus, headers: new Map(retryAfter ? [['retry-after', retryAfter]] : []) } }
        : {};
      return new GraphQLError(error.message, {
        extensions: { code: error.code, ...error.details, ...http },
      });
    }
    sendRestError(host.switchToHttp().getResponse<Response>(), error);
    return undefined;
  }
}

function retryAfterOf(error: AppException): string | undefined {
  return typeof error.details.retryAfterSeconds === 'number' ? String(error.details.retryAfterSeconds) : undefined;
}

/** A REST error answer (with Retry-After when the error says when to retry). */
export function sendRestError(response: Response, error: AppException): void {
  if (response.headersSent) return;
  const retryAfter = retryAfterOf(error);
  if (retryAfter) response.setHeader('retry-after', retryAfter);
  // A route that set its own content type (the billing page's text/html) still answers JSON here.
  response.status(error.httpStatus).type('application/json').json(restErrorBody(error));
}

/** The REST error body; also used by the webhook intake, which runs outside Nest's pipeline. */
export function restErrorBody(error: AppException): Record<string, unknown> {
  return { statusCode: error.httpStatus, code: error.code, message: error.message, ...error.restDetails() };
}

export function toAppException(exception: unknown, logger: Pick<Logger, 'error' | 'warn'>): AppException {
  if (exception instanceof AppException) return exception;
  if (isDatabaseUnavailable(exception)) {
    // Not the caller's fault and not a bug: nothing was granted or written, so a retry is safe.
    logger.warn({ err: exception }, 'database unavailable');
    return new RequestException(RequestErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable; retry shortly', {
      retryable: true,
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    });
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const known = HTTP_STATUS_CODES[status];
    if (known) return new RequestException(known, exception.message, bodyDetails(exception));
    if (status < 500) {
      // Other 4xx raised by Nest or Express (e.g. 405, 415): keep the status, say what it was.
      return new StatusException(status, exception.message);
    }
  }
  // Body-parser errors (413, 400 for a broken stream) carry an HTTP status of their own.
  const status = (exception as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const known = HTTP_STATUS_CODES[status];
    const message = (exception as Error).message;
    return known ? new RequestException(known, message) : new StatusException(status, message);
  }
  logger.error({ err: exception }, 'unhandled error');
  return new RequestException(RequestErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
}

/** Keeps what a Nest HttpException body says beyond its status line (e.g. terminus health details). */
function bodyDetails(exception: HttpException): Record<string, unknown> {
  const body = exception.getResponse();
  if (typeof body !== 'object' || body === null) return {};
  const { statusCode: _status, message: _message, error: _error, ...rest } = body as Record<string, unknown>;
  return rest;
}

class StatusException extends AppException {
  constructor(status: number, message: string) {
    super(`HTTP_${status}`, message, status);
  }
}
