import type { ValidationError } from 'class-validator';

/** Flattens class-validator errors into `path: message` lines, one per broken rule. */
export function formatValidationErrors(errors: ValidationError[], parentPath = ''): string[] {
  const lines: string[] = [];
  for (const error of errors) {
    const path = parentPath ? `${parentPath}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      lines.push(`${path}: ${message}`);
    }
    if (error.children?.length) {
      lines.push(...formatValidationErrors(error.children, path));
    }
  }
  return lines;
}
