import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import * as parser from '@typescript-eslint/parser';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { Linter } from 'eslint';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { isPositioned, PathIndex } from '../../src/engine/paths.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Code paths of every kind, nested in each other: functions, field initializers, static blocks, loops, chains. */
const NESTED = `
class Pool {
  static ready = check(() => make());
  field = (() => { if (a?.b()) { return c(); } return d(); })();
  static { for (const x of list()) { if (x.destroyed) continue; x.end(); } }
  method(socket) {
    try { socket.write(1); } catch (e) { socket.destroy(e); } finally { log(); }
    const inner = function* () { while (more()) { yield next(); } };
    label: for (let i = 0; i < 3; i++) { if (socket.writable) break label; socket.end(); }
    return socket?.end?.() ?? inner;
  }
}
const arrow = async (x = defaults()) => { await x.close(); return x.writableEnded ? 1 : 2; };
switch (kind()) { case 1: first(); break; default: other(); }
`;

function sources(): { name: string; code: string }[] {
  const list = [{ name: 'nested.ts', code: NESTED }];
  for (const dir of ['src/engine', 'rules', 'tests/fixtures', 'examples']) {
    for (const file of fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[]) {
      if (/\.[cm]?[jt]s$/.test(file)) {
        const name = path.join(dir, file);
        list.push({ name, code: fs.readFileSync(path.join(ROOT, name), 'utf8') });
      }
    }
  }
  return list;
}

function sourceCodeOf(code: string, name: string): TSESLint.SourceCode {
  let captured: TSESLint.SourceCode | null = null;
  const capture = {
    create(context: TSESLint.RuleContext<string, unknown[]>) {
      captured = context.sourceCode;
      return {};
    },
  };
  const messages = new Linter({ configType: 'flat' }).verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser, sourceType: 'module' },
        plugins: { test: { rules: { capture: capture as never } } },
        rules: { 'test/capture': 'error' },
      },
    ],
    { filename: path.join(ROOT, name.replace(/\.[cm]?js$/, '.ts')) },
  );
  expect(messages).toEqual([]);
  return captured!;
}

type Segment = TSESLint.CodePathSegment;

/** The eager recording the index replaces: every positioned node's open segments, and each call's code path. */
function eagerRecording(sourceCode: TSESLint.SourceCode) {
  const segments = new Map<TSESTree.Node, Segment[]>();
  const owners = new Map<TSESTree.Node, TSESTree.Node>();
  const stack: { node: TSESTree.Node; open: Segment[] }[] = [];
  const steps = (sourceCode as unknown as { traverse(): { target: TSESTree.Node | string; phase?: number; args: unknown[] }[] }).traverse();
  for (const step of steps) {
    const top = stack.at(-1);
    if (typeof step.target !== 'string') {
      if (step.phase === 1 && top && isPositioned(step.target)) {
        segments.set(step.target, [...top.open]);
        owners.set(step.target, top.node);
      }
      continue;
    }
    switch (step.target) {
      case 'onCodePathStart':
        stack.push({ node: step.args[1] as TSESTree.Node, open: [] });
        break;
      case 'onCodePathEnd':
        stack.pop();
        break;
      case 'onCodePathSegmentStart':
      case 'onUnreachableCodePathSegmentStart':
        top?.open.push(step.args[0] as Segment);
        break;
      case 'onCodePathSegmentEnd':
      case 'onUnreachableCodePathSegmentEnd':
        top?.open.splice(top.open.indexOf(step.args[0] as Segment), 1);
        break;
      default:
        break;
    }
  }
  return { segments, owners };
}

const ids = (list: readonly Segment[] | undefined) => (list ? list.map(segment => segment.id).sort() : list);

describe('PathIndex', () => {
  it('gives every positioned node the segments an eager recording of the traversal gives it, in any order of asking', () => {
    let checked = 0;
    for (const { name, code } of sources()) {
      const sourceCode = sourceCodeOf(code, name);
      const expected = eagerRecording(sourceCode);
      // First node first, then last node first: code paths are recorded as their nodes are asked about.
      for (const order of [[...expected.segments], [...expected.segments].reverse()]) {
        const index = PathIndex.of(sourceCode);
        for (const [node, segments] of order) {
          if (ids(index.segmentsOf(node))?.join() !== ids(segments)?.join()) {
            expect.fail(`${name}:${node.loc.start.line} ${node.type}: segments differ`);
          }
          if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) {
            expect(index.ownerOf(node), `${name}:${node.loc.start.line}`).toBe(expected.owners.get(node));
            expect(index.callsIn(expected.owners.get(node)!)).toContain(node);
          }
          checked++;
        }
      }
      const index = PathIndex.of(sourceCode);
      expect(index.calls).toHaveLength(
        [...expected.segments.keys()].filter(node => node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression).length,
      );
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('has no segments for nodes that are not positioned, and lists returns per code path', () => {
    const sourceCode = sourceCodeOf('function f(a) { const b = a.c; if (b) { return g(b); } return 1; }', 'plain.ts');
    const index = PathIndex.of(sourceCode);
    const fn = sourceCode.ast.body[0] as TSESTree.FunctionDeclaration;
    const declaration = fn.body.body[0] as TSESTree.VariableDeclaration;
    expect(index.segmentsOf(declaration)).toBeUndefined();
    expect(index.segmentsOf(declaration.declarations[0])).toHaveLength(1);
    expect(index.returnsOf(fn)).toHaveLength(2);
    expect(index.returnsOf(declaration)).toBeUndefined();
    expect(index.codePathOf(fn)?.initialSegment).toBe(index.segmentsOf(declaration.declarations[0])?.[0]);
  });
});
