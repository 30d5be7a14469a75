import { ValidationPipe } from '@nestjs/common';
import { RequestErrorCode, RequestException } from '../exceptions/request.exception.js';
import { formatValidationErrors } from '../utils/format-validation-errors.util.js';

/** class-validator on every input: unknown fields are refused, every broken rule is listed. */
export function createAppValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const problems = formatValidationErrors(errors);
      return new RequestException(RequestErrorCode.BAD_USER_INPUT, `Invalid input: ${problems.join('; ')}`, {
        errors: problems,
      });
    },
  });
}
