import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';

import type { FileModel } from '../../src/engine/index.js';

import { calledMethod, isFunctionNode, type FunctionNode } from '../../src/engine/ast.js';
import { isCovered, ownReturns, uncoveredExits } from '../../src/engine/exits.js';
import { analyze } from './analyze.js';

/**
 * The uncovered exits of the first function named `fn`, with the calls of method `anchor` as anchors, starting at the
 * first call of `from` (when given). Returns are described by their line.
 */
function exitsOf(code: string, anchor: string, from?: string) {
  return analyze(code, (model: FileModel) => {
    const fn = findFunction(model.sourceCode.ast, 'fn');
    const calls = model.paths.callsIn(fn);
    const anchors = calls.filter(call => calledMethod(call) === anchor || calleeName(call) === anchor);
    const start = from === undefined ? undefined : calls.find(call => calleeName(call) === from);
    const exits = uncoveredExits(model.paths, fn, anchors, start);
    return exits && { ...exits, returns: exits.returns.map(r => r.loc.start.line), covered: isCovered(exits) };
  });
}

function calleeName(call: TSESTree.CallExpression | TSESTree.NewExpression): string | null {
  return call.callee.type === AST_NODE_TYPES.Identifier ? call.callee.name : null;
}

function findFunction(node: TSESTree.Node, name: string): FunctionNode {
  let found: FunctionNode | null = null;
  const visit = (current: TSESTree.Node): void => {
    if (found) {
      return;
    }
    if (current.type === AST_NODE_TYPES.FunctionDeclaration && current.id?.name === name) {
      found = current;
      return;
    }
    for (const key of Object.keys(current)) {
      if (key === 'parent') {
        continue;
      }
      const value = (current as unknown as Record<string, unknown>)[key];
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child && typeof (child as TSESTree.Node).type === 'string') {
          visit(child as TSESTree.Node);
        }
      }
    }
  };
  visit(node);
  if (!found) {
    throw new Error(`no function ${name}`);
  }
  return found;
}

const HEAD = `declare const r: { use(): void; other(): void }; // stands in for a socket\ndeclare function make(): void;\n`;

describe('uncoveredExits', () => {
  it('is covered when every path passes an anchor', () => {
    expect(exitsOf(`${HEAD}function fn(a: boolean) {\n  if (a) { r.use(); return; }\n  r.use();\n}`, 'use')).toMatchObject({
      returns: [],
      fallsOff: false,
      loopsBack: false,
      covered: true,
    });
  });

  it('names the returns reached without an anchor, and the end of the body', () => {
    const result = exitsOf(
      `${HEAD}function fn(a: number) {\n  if (a === 1) {\n    return;\n  }\n  if (a === 2) return;\n  if (a === 3) { r.use(); return; }\n  r.other();\n}`,
      'use',
    );
    expect(result).toMatchObject({ returns: [5, 7], fallsOff: true, covered: false });
  });

  it('ignores paths that throw', () => {
    expect(exitsOf(`${HEAD}function fn(a: boolean) {\n  if (a) throw new Error('x');\n  r.use();\n}`, 'use')).toMatchObject({
      covered: true,
    });
  });

  it('starts at `from`: exits before it do not count, anchors before it do not cover', () => {
    const code = `${HEAD}function fn(a: boolean) {\n  if (a) return;\n  r.use();\n  make();\n  if (!a) return;\n  r.use();\n}`;
    expect(exitsOf(code, 'use')).toMatchObject({ returns: [4], covered: false });
    expect(exitsOf(code, 'use', 'make')).toMatchObject({ returns: [7], covered: false });
    expect(
      exitsOf(`${HEAD}function fn(a: boolean) {\n  if (a) return;\n  make();\n  r.use();\n}`, 'use', 'make'),
    ).toMatchObject({ covered: true });
  });

  it('reports a loop back to `from` that skips the anchor', () => {
    const code = `${HEAD}function fn(xs: number[]) {\n  for (const x of xs) {\n    make();\n    if (x) continue;\n    r.use();\n  }\n}`;
    expect(exitsOf(code, 'use', 'make')).toMatchObject({ loopsBack: true, covered: false });
  });

  it('answers null when an anchor or `from` was not recorded', () => {
    const result = analyze(`${HEAD}function fn() { r.use(); }`, model => {
      const fn = findFunction(model.sourceCode.ast, 'fn');
      return uncoveredExits(model.paths, fn, [fn.body]);
    });
    expect(result).toBeNull();
  });

  it('lists the returns of a function, not of the functions nested in it', () => {
    const lines = analyze(`function fn() { // a socket's\n  const f = () => { return 1; };\n  if (f()) return 2;\n  return 3;\n}`, model => {
      const fn = findFunction(model.sourceCode.ast, 'fn');
      return ownReturns(fn).map(r => r.loc.start.line);
    });
    expect(lines).toEqual([3, 4]);
    expect(isFunctionNode).toBeTypeOf('function');
  });
});
