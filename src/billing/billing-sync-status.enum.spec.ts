import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { BillingSyncStatus } from './billing-sync-status.enum.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENUM = 'BillingSyncStatus';
/** Fields that carry a billing sync status on its way to billing_accounts / billing_sync_log. */
const STATUS_FIELDS = new Set(['status', 'billingSyncStatus', 'syncStatus', 'logStatus']);
const COMPARISONS = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);
const QUERY_CALLS = new Set(['where', 'andWhere', 'orWhere', 'includes', 'indexOf', 'has']);

/** Walks up through expressions that pass a value on unchanged (`a ?? b`, `(a)`, `a as T`, `c ? a : b`). */
function valueHolder(node: ts.Node): ts.Node {
  let current = node;
  while (
    ts.isParenthesizedExpression(current.parent) ||
    ts.isAsExpression(current.parent) ||
    ts.isConditionalExpression(current.parent) ||
    (ts.isBinaryExpression(current.parent) &&
      [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(current.parent.operatorToken.kind) &&
      current.parent.right === current)
  ) {
    current = current.parent;
  }
  return current;
}

/** A comparison, a query filter or a lookup: reading a status, not writing one. */
function isRead(node: ts.Node): boolean {
  for (let at: ts.Node = node; at.parent && !ts.isStatement(at) && !ts.isClassElement(at); at = at.parent) {
    const parent = at.parent;
    if (ts.isBinaryExpression(parent) && COMPARISONS.has(parent.operatorToken.kind)) return true;
    if (ts.isCaseClause(parent) && parent.expression === at) return true;
    if (ts.isComputedPropertyName(parent)) return true;
    if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name) && parent.name.text === 'where') return true;
    if (ts.isCallExpression(parent)) {
      const callee = parent.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      if (QUERY_CALLS.has(name)) return true;
      // `[A, B].includes(x)`: the array is the receiver of the lookup.
      if (ts.isPropertyAccessExpression(callee) && callee.expression === at && QUERY_CALLS.has(callee.name.text)) return true;
    }
  }
  return false;
}

/** Statuses an SQL text writes: in an UPDATE ... SET billing_sync_status = '...', or the values of an INSERT into either table. */
function statusesWrittenBySql(sql: string, values: ReadonlySet<string>): string[] {
  const written: string[] = [];
  for (const update of sql.matchAll(/\bUPDATE\s+billing_accounts\b[\s\S]*?\bSET\b([\s\S]*?)(?=\bFROM\b|\bWHERE\b|\bRETURNING\b|$)/gi)) {
    for (const set of update[1].matchAll(/\bbilling_sync_status\s*=\s*'([a-z_]+)'/g)) written.push(set[1]);
  }
  for (const insert of sql.matchAll(/\bINSERT\s+INTO\s+(?:billing_sync_log|billing_accounts)\b([\s\S]*?)(?=\bON\s+CONFLICT\b|\bRETURNING\b|\bFROM\b|\bWHERE\b|$)/gi)) {
    for (const literal of insert[1].matchAll(/'([a-z_]+)'/g)) if (values.has(literal[1])) written.push(literal[1]);
  }
  return written;
}

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join('$x');
  return undefined;
}

/**
 * Status values a source file writes, by syntax: `BillingSyncStatus.X` used as a value (an
 * argument, a field of an object, an assignment, a return), the status string as the value of a
 * status field (`logStatus: 'trial_started'`), or in SQL that writes billing_sync_status or
 * billing_sync_log. Comparisons, `case` labels, map keys, query filters and lookups read a status;
 * comments and other strings never count.
 */
function writtenStatuses(source: string): Set<string> {
  const members = new Map(Object.entries(BillingSyncStatus));
  const values = new Set<string>(members.values());
  const written = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === ENUM && members.has(node.name.text)) {
      if (!isRead(node)) written.add(members.get(node.name.text)!);
    }
    const text = literalText(node);
    if (text !== undefined) {
      const holder = valueHolder(node).parent;
      if (values.has(text) && ts.isPropertyAssignment(holder) && ts.isIdentifier(holder.name) && STATUS_FIELDS.has(holder.name.text) && !isRead(holder)) {
        written.add(text);
      }
      for (const value of statusesWrittenBySql(text, values)) written.add(value);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('source.ts', source, ts.ScriptTarget.Latest, true));
  return written;
}

/** Every production source file of src (no specs), except the enum's own declaration. */
function sourcesOutsideEnum(): string[] {
  return readdirSync(SRC, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.endsWith('billing-sync-status.enum.ts'))
    .map((file) => readFileSync(join(SRC, file), 'utf8'));
}

describe('writtenStatuses (the scan the check below relies on)', () => {
  it('does not count comparisons, case labels, map keys, filters, lookups, comments or mentions in text', () => {
    const source = `
      // BillingSyncStatus.ACCOUNT_CREATED is what a new account starts with
      if (entry.status === BillingSyncStatus.MANUAL_SYNC || BillingSyncStatus.ADMIN_REPAIR !== other) {}
      switch (status) { case BillingSyncStatus.RECONCILIATION: break; }
      const labels = { [BillingSyncStatus.CHECKOUT_RETURN]: 'Checkout return' };
      await repo.find({ where: { billingSyncStatus: BillingSyncStatus.OWNER_CANCEL } });
      const known = [BillingSyncStatus.OWNER_RESUME].includes(status);
      const message = "status 'trial_started' or trial_converted";
      const sql = "SELECT * FROM billing_accounts WHERE billing_sync_status = 'trial_expired'";
      if (log.status === 'owner_plan_change') {}
    `;
    expect([...writtenStatuses(source)]).toEqual([]);
  });

  it('counts a status passed, stored or returned as a value, a status field set to it, and SQL writes', () => {
    const source = `
      await this.syncNow(customerId, BillingSyncStatus.CHECKOUT_RETURN, 'checkout-return');
      const intent = { status: BillingSyncStatus.ADMIN_REPAIR, source: 'admin' };
      account.billingSyncStatus = BillingSyncStatus.MANUAL_SYNC;
      const change = { logStatus: decision.logStatus ?? 'trial_started' };
      await db.query(\`UPDATE billing_accounts a SET billing_sync_status = 'trial_expired' FROM due WHERE a.id = due.id\`);
      await db.query(\`INSERT INTO billing_accounts (business_id, billing_sync_status) VALUES ($1, 'account_created') ON CONFLICT DO NOTHING\`);
      await db.query(\`INSERT INTO billing_sync_log (business_id, status) SELECT id, 'reconciliation' FROM x\`);
    `;
    expect([...writtenStatuses(source)].sort()).toEqual(
      ['account_created', 'admin_repair', 'checkout_return', 'manual_sync', 'reconciliation', 'trial_expired', 'trial_started'].sort(),
    );
  });
});

describe('BillingSyncStatus', () => {
  it('declares only values something in src writes (docs and the admin view must not promise dead states)', () => {
    const written = new Set(sourcesOutsideEnum().flatMap((source) => [...writtenStatuses(source)]));
    const unwritten = Object.entries(BillingSyncStatus)
      .filter(([, value]) => !written.has(value))
      .map(([member]) => member);
    expect(unwritten).toEqual([]);
  });
});
