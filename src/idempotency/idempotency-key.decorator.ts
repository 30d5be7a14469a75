import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { getRequest } from '../auth/request-context.util.js';
import { RequestErrorCode, RequestException } from '../common/exceptions/request.exception.js';
import { isValidIdempotencyKey } from './idempotency.util.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** The request's Idempotency-Key header (GraphQL or REST), undefined when absent; BAD_USER_INPUT when malformed. */
export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined => {
  const header = getRequest(context).headers[IDEMPOTENCY_HEADER];
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header.join(',') : header;
  if (!isValidIdempotencyKey(key)) {
    throw new RequestException(
      RequestErrorCode.BAD_USER_INPUT,
      'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces',
    );
  }
  return key;
});
