import { userInfo } from 'node:os';
import type { Operator } from '../admin/admin-repair.service.js';

/** Audit rows of CLI changes name the operating-system user: `cli:<user>`. */
export function cliOperator(): Operator {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the audit row still says it came from the CLI.
  }
  return { sub: `cli:${user}` };
}
