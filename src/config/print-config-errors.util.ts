/** The boot failure message: every problem on its own line, so one pass fixes them all. */
export function formatConfigErrors(errors: string[]): string {
  return [
    `Configuration is invalid (${errors.length} problem${errors.length === 1 ? '' : 's'}); the service did not start:`,
    ...errors.map((error) => `  - ${error}`),
    'See .env.example for every variable and its default.',
  ].join('\n');
}
