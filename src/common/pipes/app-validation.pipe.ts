import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { RequestErrorCode, RequestException } from '../exceptions/request.exception.js';
import { findNulCharacter } from '../utils/find-nul-character.util.js';
import { formatValidationErrors } from '../utils/format-validation-errors.util.js';

/**
 * The global pipe: every REST body, query and route parameter and every GraphQL argument passes
 * here. A NUL character anywhere is refused first (PostgreSQL cannot store it); then
 * class-validator runs, refusing unknown fields and listing every broken rule.
 */
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
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

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const path = findNulCharacter(value);
    if (path !== undefined) {
      const where = metadata.data ? `${metadata.data}${path === '(value)' ? '' : `.${path}`}` : path;
      throw new RequestException(RequestErrorCode.BAD_USER_INPUT, `Invalid input: ${where} contains a NUL character (\\u0000)`, {
        errors: [`${where}: must not contain a NUL character`],
      });
    }
    return super.transform(value, metadata);
  }
}

export function createAppValidationPipe(): AppValidationPipe {
  return new AppValidationPipe();
}
