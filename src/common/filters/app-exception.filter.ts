import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { GqlContextType } from '@nestjs/graphql';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable } from '../../database/database-unavailable.util.js';
import { AppException } from '../exceptions/app.exception.js';
import { RequestErrorCode, RequestException } from '../exceptions/request.exception.js';

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
    const error = this.toAppException(exception);
    const retryAfter = typeof error.details.retryAfterSeconds === 'number' ? String(error.details.retryAfterSeconds) : undefined;
    if (host.getType<GqlContextType>() === 'graphql') {
      // Outages and rate limits keep their HTTP status in GraphQL too, so clients and proxies retry.
      const http = RETRYABLE_STATUSES.has(error.httpStatus)
        ? { http: { status: error.httpStatus, headers: new Map(retryAfter ? [['retry-after', retryAfter]] : []) } }
        : {};
      return new GraphQLError(error.message, {
        extensions: { code: error.code, ...error.details, ...http },
      });
    }
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return undefined;
    if (retryAfter) response.setHeader('retry-after', retryAfter);
    response.status(error.httpStatus).json({
      statusCode: error.httpStatus,
      code: error.code,
      message: error.message,
      ...error.restDetails(),
    });
    return undefined;
  }

  private toAppException(exception: unknown): AppException {
    if (exception instanceof AppException) return exception;
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ err: exception }, 'database unavailable');
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
    this.logger.error({ err: exception }, 'unhandled error');
    return new RequestException(RequestErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
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
