import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';

const SRC_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** Where raw SQL may be written: a module's *.sql.ts (tests and migrations are not services). */
function mayHoldSql(file: string): boolean {
  return file.endsWith('.sql.ts') || file.endsWith('.spec.ts') || file.split(/[\\/]/).includes('migrations');
}

function isSqlModule(specifier: string): boolean {
  return /\.sql(\.js)?$/.test(specifier);
}

function skipOuter(node: ts.Expression): ts.Expression {
  let current = node;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/**
 * Why `node` (the first argument of a `.query(` call, or what it resolves to in its own file) is
 * SQL written outside a .sql.ts file; null when it is not (a parameter, a builder's result, a
 * constant imported from a .sql module). Names are followed through the file's own declarations
 * with the type checker, so `const sql = '...'; query(sql)` counts, and a constant imported from
 * any module but a .sql one counts (SQL shared from a service, as inbox-health.service.ts once did).
 */
function rawSqlIn(node: ts.Expression, checker: ts.TypeChecker, seen: Set<ts.Node>): string | null {
  const expr = skipOuter(node);
  if (ts.isStringLiteral(expr)) return 'a string literal';
  if (ts.isNoSubstitutionTemplateLiteral(expr) || ts.isTemplateExpression(expr) || ts.isTaggedTemplateExpression(expr)) {
    return 'a template literal';
  }
  if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return rawSqlIn(expr.left, checker, seen) ?? rawSqlIn(expr.right, checker, seen);
  }
  if (ts.isConditionalExpression(expr)) return rawSqlIn(expr.whenTrue, checker, seen) ?? rawSqlIn(expr.whenFalse, checker, seen);
  if (ts.isArrayLiteralExpression(expr)) {
    for (const element of expr.elements) {
      const found = rawSqlIn(ts.isSpreadElement(element) ? element.expression : element, checker, seen);
      if (found) return found;
    }
    return null;
  }
  if (ts.isObjectLiteralExpression(expr)) {
    // A pg query config: { text, values } or { name, text }, possibly spread from a constant.
    for (const property of expr.properties) {
      if (ts.isSpreadAssignment(property)) {
        const found = rawSqlIn(property.expression, checker, seen);
        if (found) return found;
      } else if (property.name && ts.isIdentifier(property.name) && property.name.text === 'text') {
        const value = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : null;
        const found = value && rawSqlIn(value, checker, seen);
        if (found) return found;
      }
    }
    return null;
  }
  // `\`...\`.trim()`, `[...].join(' ')`: a method of raw text. A call of a function (a builder) is not.
  if (ts.isCallExpression(expr) && ts.isPropertyAccessExpression(expr.expression)) return rawSqlIn(expr.expression.expression, checker, seen);
  if (ts.isIdentifier(expr) || ts.isPropertyAccessExpression(expr)) {
    const symbol = checker.getSymbolAtLocation(ts.isIdentifier(expr) ? expr : expr.name);
    const declaration = symbol?.declarations?.[0];
    if (!declaration) return ts.isPropertyAccessExpression(expr) ? rawSqlIn(expr.expression, checker, seen) : null;
    return rawSqlOfDeclaration(declaration, checker, seen, false);
  }
  if (ts.isElementAccessExpression(expr)) {
    // `SOURCES[key]`: SQL if the object it indexes holds any.
    const base = skipOuter(expr.expression);
    const symbol = ts.isIdentifier(base) ? checker.getSymbolAtLocation(base) : undefined;
    const declaration = symbol?.declarations?.[0];
    return declaration ? rawSqlOfDeclaration(declaration, checker, seen, true) : rawSqlIn(base, checker, seen);
  }
  return null;
}

function rawSqlOfDeclaration(declaration: ts.Declaration, checker: ts.TypeChecker, seen: Set<ts.Node>, anyProperty: boolean): string | null {
  if (seen.has(declaration)) return null;
  seen.add(declaration);
  if (ts.isImportSpecifier(declaration) || ts.isImportClause(declaration) || ts.isNamespaceImport(declaration)) {
    let statement: ts.Node = declaration;
    while (!ts.isImportDeclaration(statement)) statement = statement.parent;
    const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
    return isSqlModule(specifier) ? null : `a constant imported from ${specifier} (not a .sql module)`;
  }
  if (!ts.isVariableDeclaration(declaration) && !ts.isPropertyDeclaration(declaration) && !ts.isPropertyAssignment(declaration)) return null;
  const { initializer, name } = declaration;
  if (!initializer) return null;
  const value = skipOuter(initializer);
  if (anyProperty && ts.isObjectLiteralExpression(value)) {
    for (const property of value.properties) {
      const found = ts.isPropertyAssignment(property) ? rawSqlIn(property.initializer, checker, seen) : null;
      if (found) return `an object of SQL (${found})`;
    }
    return null;
  }
  const found = rawSqlIn(value, checker, seen);
  return found && (ts.isIdentifier(name) ? `${name.text}, ${found}` : found);
}

/** `file:line: reason` for every `.query(` whose first argument is SQL written in that file (or imported from a non-.sql module). */
function findRawSql(files: Record<string, string>): string[] {
  const names = Object.keys(files).filter((file) => !mayHoldSql(file));
  const options: ts.CompilerOptions = { noResolve: true, noLib: true, types: [], target: ts.ScriptTarget.ES2022 };
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (fileName, languageVersion) =>
    fileName in files ? ts.createSourceFile(fileName, files[fileName], languageVersion, true) : undefined;
  host.fileExists = (fileName) => fileName in files;
  host.readFile = (fileName) => files[fileName];
  const program = ts.createProgram({ rootNames: names, options, host });
  const checker = program.getTypeChecker();
  const found: string[] = [];
  for (const name of names) {
    const source = program.getSourceFile(name)!;
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === 'query' &&
        node.arguments.length > 0
      ) {
        const reason = rawSqlIn(node.arguments[0], checker, new Set());
        if (reason) found.push(`${name}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: .query( gets ${reason}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** How a SQL statement starts (a fragment such as `AND status = 'open'` does not count). */
const STATEMENT_START =
  /^\s*\(?\s*(SELECT\s|INSERT\s+INTO\s|UPDATE\s+\w+(\s+(AS\s+)?\w+)?\s+SET\s|DELETE\s+FROM\s|WITH\s+\w+\s+AS\s*\(|BEGIN\s*;|LISTEN\s|NOTIFY\s|CREATE\s|ALTER\s|DROP\s|TRUNCATE\s)/;

/**
 * `file:line` of every string or template literal outside a .sql.ts file whose text starts like
 * a SQL statement: SQL that reaches `.query(` through a helper's parameter (a service's own
 * `update(sql, params)`), which the check above cannot follow.
 */
function findSqlStatements(files: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    if (mayHoldSql(name)) continue;
    const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      const literal =
        ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : ts.isTemplateExpression(node) ? node.head.text : null;
      if (literal !== null && STATEMENT_START.test(literal)) {
        found.push(`${name}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

function sourcesUnder(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    files[file.split(sep).join('/')] = readFileSync(join(dir, file), 'utf8');
  }
  return files;
}

describe('raw SQL', () => {
  const sources = sourcesUnder(SRC_DIR);

  it('is written only in the *.sql.ts file of its module (services pass its constants to .query)', () => {
    expect(findRawSql(sources)).toEqual([]);
  });

  it('is found by the check in every form a service could write it', () => {
    const found = findRawSql({
      'a/a.service.ts': [
        "import { SHARED } from '../b/b.service.js';",
        "import { FROM_SQL, NAMED } from './a.sql.js';",
        "const LOCAL = `SELECT ${1}`;",
        "const SOURCES = { x: 'SELECT 3' };",
        'const STATEMENT = { name: "s", text: "INSERT 1" };',
        'class A {',
        "  private readonly sql = 'SELECT 4';",
        '  async run(db: any, param: string, key: string) {',
        "    await db.query('SELECT 1');",
        '    await db.query(`SELECT 2 WHERE ${param}`);',
        '    await db.query(LOCAL, []);',
        '    await db.query(SOURCES[key], []);',
        '    await (db ?? db).query<number>(this.sql);',
        '    await db.query({ ...STATEMENT, values: [] });',
        '    await db.query(SHARED);',
        "    await db.query('SELECT ' + param);",
        // Allowed: constants of a .sql module, parameters, builders' results.
        '    await db.query(FROM_SQL, [param]);',
        '    await db.query({ ...NAMED, values: [] });',
        '    await db.query(param);',
        '    await db.query(build(param).text);',
        '  }',
        '}',
        'function build(param: string) { return { text: param }; }',
      ].join('\n'),
      'a/a.sql.ts': "export const FROM_SQL = 'SELECT 1';",
      'a/a.service.spec.ts': "db.query('SELECT 1');",
    });
    expect(found).toEqual([
      'a/a.service.ts:9: .query( gets a string literal',
      'a/a.service.ts:10: .query( gets a template literal',
      'a/a.service.ts:11: .query( gets LOCAL, a template literal',
      'a/a.service.ts:12: .query( gets an object of SQL (a string literal)',
      'a/a.service.ts:13: .query( gets sql, a string literal',
      'a/a.service.ts:14: .query( gets STATEMENT, a string literal',
      'a/a.service.ts:15: .query( gets a constant imported from ../b/b.service.js (not a .sql module)',
      'a/a.service.ts:16: .query( gets a string literal',
    ]);
  });

  it('is not written as a statement anywhere else either (passed on through a helper)', () => {
    expect(findSqlStatements(sources)).toEqual([]);
  });

  it('is found as a statement whatever runs it, and fragments and prose are not', () => {
    const found = findSqlStatements({
      'a/a.service.ts': [
        'const RESERVE = `',
        '  WITH o AS (SELECT used FROM usage_counters WHERE business_id = $1)',
        '  SELECT * FROM o`;',
        "const LOCK = 'SELECT pg_advisory_lock($1)';",
        'const upsert = `INSERT INTO t (a) VALUES (${1})`;',
        "const fragment = ` AND status = 'open'`;",
        "const message = 'Select a plan first';",
        "const update = 'UPDATE t SET a = 1';",
        "const delete_ = 'DELETE FROM t';",
      ].join('\n'),
      'a/a.sql.ts': "export const OK = 'SELECT 1';",
    });
    expect(found).toEqual(['a/a.service.ts:1', 'a/a.service.ts:4', 'a/a.service.ts:5', 'a/a.service.ts:8', 'a/a.service.ts:9']);
  });
});
