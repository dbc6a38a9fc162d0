import type { TSESTree } from '@typescript-eslint/utils';

import { parseForESLint } from '@typescript-eslint/parser';
import { AST_NODE_TYPES, TSESLint } from '@typescript-eslint/utils';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { ScopeLookup } from '../../src/engine/scopes.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Constructs whose references the scope manager files under a scope other than the nearest one around them. */
const TRICKY = `
import { connect as dial, type Socket } from 'node:net';
import * as http from 'node:http';
@decorate(dial)
class Pool<T extends Socket> extends Base(dial) implements Holder<T> {
  static #count = counter(Pool);
  field = dial(this.port);
  @observe(http) accessor open = new Set<T>();
  static { register(Pool, dial); }
  constructor(private readonly port = defaultPort(dial), { host = hostOf(port) }: Options = {}) { super(host); }
  method<U extends T = T>(this: Pool<T>, value: U = fallback(port)): U { return value ?? this.field; }
}
const named = function self(n: number): number { return n > 0 ? self(n - 1) : named.length; };
const arrow = (a = b, b = a) => a + b;
for (const socket of sockets(dial)) { use(socket); }
for (let i = 0, j = i; i < j; i++) { var hoisted = i; }
for (const key in table(hoisted)) label: { if (key) break label; }
switch (mode(dial)) { case one(dial): { let inner = mode; use(inner); } }
try { risky(dial); } catch ({ message = dial }) { use(message); } finally { use(dial); }
type Alias<V> = V extends Promise<infer W> ? W : typeof dial;
enum Kind { A = dial.length, B = A + 1 }
namespace Space { export const x = dial; }
declare global { var injected: typeof dial; }
export default class { m() { return new.target ?? arguments; } }
label2: for (;;) { continue label2; }
`;

const SCRIPT = `
var top = require('net');
function outer(a) { var top = a; return function inner() { return top + a + undeclared; }; }
with (scope) { top; }
{ let blocked = top; function inBlock() { return blocked; } }
try { top(); } catch (shadow) { var shadow = top; }
`;

function sources(): { name: string; code: string; sourceType: 'module' | 'script' }[] {
  const list: { name: string; code: string; sourceType: 'module' | 'script' }[] = [
    { name: 'tricky.ts', code: TRICKY, sourceType: 'module' },
    { name: 'script.js', code: SCRIPT, sourceType: 'script' },
  ];
  for (const dir of ['src/engine', 'rules', 'tests/fixtures', 'examples']) {
    for (const file of fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[]) {
      if (/\.[cm]?[jt]s$/.test(file)) {
        const name = path.join(dir, file);
        list.push({ name, code: fs.readFileSync(path.join(ROOT, name), 'utf8'), sourceType: 'module' });
      }
    }
  }
  return list;
}

function parse(code: string, name: string, sourceType: 'module' | 'script') {
  const { ast, scopeManager, visitorKeys } = parseForESLint(code, {
    filePath: name,
    sourceType,
    range: true,
    loc: true,
    ecmaVersion: 'latest',
    ...(sourceType === 'script' ? { lib: ['es2022'] } : {}),
  });
  setParents(ast, undefined, visitorKeys);
  return { ast, scopeManager };
}

/** What ESLint does before any rule runs: every node gets its `parent`. */
function setParents(node: TSESTree.Node, parent: TSESTree.Node | undefined, keys: Record<string, readonly string[] | undefined>): void {
  (node as { parent?: TSESTree.Node }).parent = parent;
  for (const key of keys[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    for (const item of Array.isArray(child) ? child : [child]) {
      if (item && typeof (item as TSESTree.Node).type === 'string') {
        setParents(item as TSESTree.Node, node, keys);
      }
    }
  }
}

describe('ScopeLookup', () => {
  it('resolves every reference of every file to the variable the scope manager resolved it to', () => {
    let checked = 0;
    for (const { name, code, sourceType } of sources()) {
      const { scopeManager } = parse(code, name, sourceType);
      const lookup = new ScopeLookup(scopeManager);
      for (const scope of scopeManager.scopes) {
        for (const reference of scope.references) {
          if (reference.identifier.type !== AST_NODE_TYPES.Identifier) {
            continue;
          }
          const found = lookup.variableOf(reference.identifier);
          if (found !== reference.resolved) {
            expect.fail(`${name}:${reference.identifier.loc.start.line} '${reference.identifier.name}' resolved differently`);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('finds the variable every declaring identifier declares', () => {
    let checked = 0;
    for (const { name, code, sourceType } of sources()) {
      const { scopeManager } = parse(code, name, sourceType);
      const lookup = new ScopeLookup(scopeManager);
      for (const scope of scopeManager.scopes) {
        for (const variable of scope.variables) {
          for (const identifier of variable.identifiers) {
            const found = lookup.declaredVariable(identifier);
            // A class name is declared twice (around the class and inside it); the inner binding is the one found.
            const innerClassName = found?.defs[0]?.type === TSESLint.Scope.DefinitionType.ClassName && found.scope.block === variable.defs[0]?.node;
            if (found !== variable && !innerClassName) {
              expect.fail(`${name}:${identifier.loc.start.line} '${identifier.name}' declared by another variable`);
            }
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(3_000);
  });

  it('answers null for identifiers that are no reference, and without a scope manager', () => {
    const { ast, scopeManager } = parse('const a = { key: 1 }; a.key;', 'plain.ts', 'module');
    const lookup = new ScopeLookup(scopeManager);
    const declarator = (ast.body[0] as TSESTree.VariableDeclaration).declarations[0];
    const key = ((declarator.init as TSESTree.ObjectExpression).properties[0] as TSESTree.Property).key as TSESTree.Identifier;
    expect(lookup.variableOf(key)).toBeNull();
    const member = ((ast.body[1] as TSESTree.ExpressionStatement).expression as TSESTree.MemberExpression);
    expect(lookup.variableOf(member.object as TSESTree.Identifier)?.name).toBe('a');
    expect(lookup.variableOf(member.property as TSESTree.Identifier)).toBeNull();
    expect(new ScopeLookup(null).variableOf(member.object as TSESTree.Identifier)).toBeNull();
  });
});
