import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';

import type { FileModel } from '../../src/engine/index.js';

import { calledMethod } from '../../src/engine/ast.js';
import { writesAfterClose } from '../../src/engine/writes.js';
import { analyze } from './analyze.js';

/** `[write text, close text, kind]` for every write after close of the snippet. */
function findings(code: string, filename?: string): [string, string, string][] {
  return analyze(
    code,
    model =>
      writesAfterClose(model).map(finding => [
        model.sourceCode.getText(finding.write),
        model.sourceCode.getText(finding.close.call),
        finding.close.kind,
      ]),
    filename ? { filename } : {},
  );
}

/** The calls of the snippet, by their source text. */
function callsByText(model: FileModel): Map<string, TSESTree.CallExpression> {
  const map = new Map<string, TSESTree.CallExpression>();
  for (const call of model.paths.calls) {
    if (call.type === AST_NODE_TYPES.CallExpression) {
      map.set(model.sourceCode.getText(call), call);
    }
  }
  return map;
}

describe('PathIndex.canFollowAvoiding', () => {
  const code = `
// a() and b() stand in for socket calls.
declare function a(): void;
declare function b(): void;
declare function guard(): boolean;
declare const items: number[];
export function straight() { a(); guard(); b(); }
export function branch() { a(); if (guard()) { b(); } }
export function loop() { for (const item of items) { b(); if (item) guard(); a(); } }
export function sameSegment() { a(); b(); }
`;
  it('blocks paths that evaluate an avoided node in between, and finds those that do not', () => {
    analyze(code, model => {
      const byFunction = new Map<string, readonly TSESTree.Node[]>();
      for (const statement of model.sourceCode.ast.body) {
        const fn = statement.type === AST_NODE_TYPES.ExportNamedDeclaration ? statement.declaration : statement;
        if (fn?.type === AST_NODE_TYPES.FunctionDeclaration && fn.id) {
          byFunction.set(fn.id.name, model.paths.callsIn(fn));
        }
      }
      const pick = (name: string) => {
        const calls = byFunction.get(name)!;
        const find = (callee: string) =>
          calls.find(call => (call as TSESTree.CallExpression).callee.type === AST_NODE_TYPES.Identifier && ((call as TSESTree.CallExpression).callee as TSESTree.Identifier).name === callee)!;
        return { a: find('a'), b: find('b'), guard: find('guard') };
      };
      const straight = pick('straight');
      expect(model.paths.canFollowAvoiding(straight.a, straight.b, [])).toBe(true);
      expect(model.paths.canFollowAvoiding(straight.a, straight.b, [straight.guard])).toBe(false);
      // The guard is the if's test: every path to b() evaluates it after a().
      const branch = pick('branch');
      expect(model.paths.canFollowAvoiding(branch.a, branch.b, [branch.guard])).toBe(false);
      expect(model.paths.canFollowAvoiding(branch.b, branch.a, [])).toBe(false);
      // Around the loop: a() → next iteration → b(), and the guard sits on one branch only.
      const loop = pick('loop');
      expect(model.paths.canFollow(loop.a, loop.b)).toBe(true);
      expect(model.paths.canFollowAvoiding(loop.a, loop.b, [loop.guard])).toBe(true);
      const same = pick('sameSegment');
      expect(model.paths.canFollowAvoiding(same.a, same.b, [])).toBe(true);
      expect(model.paths.canFollowAvoiding(same.b, same.a, [])).toBe(false);
      return null;
    });
  });

  it('records reads of writable-state properties on the code path', () => {
    analyze(
      `
import * as net from 'node:net';
const socket = net.connect(80);
if (!socket.writableEnded && socket.remotePort) socket.write('x');
`,
      model => {
        const write = [...callsByText(model).values()].find(call => calledMethod(call) === 'write')!;
        const test = (write.parent.parent as TSESTree.IfStatement).test as TSESTree.LogicalExpression;
        const guard = (test.left as TSESTree.UnaryExpression).argument;
        expect(model.paths.segmentsOf(guard)).toBeDefined();
        // Not a guard property: not recorded.
        expect(model.paths.segmentsOf(test.right)).toBeUndefined();
        return null;
      },
    );
  });
});

describe('writesAfterClose', () => {
  it('finds writes after end() and destroy() and says which', () => {
    expect(
      findings(`
import * as net from 'node:net';
const a = net.connect(80);
a.end();
a.write('1');
const b = net.connect(81);
b.destroy();
b.end('2');
const c = net.connect(82);
c.resetAndDestroy();
c.write('3');
`),
    ).toEqual([
      ["a.write('1')", 'a.end()', 'end'],
      ["b.end('2')", 'b.destroy()', 'destroy'],
      ["c.write('3')", 'c.resetAndDestroy()', 'destroy'],
    ]);
  });

  it('ignores end() without data, writes before the close, and other sockets', () => {
    expect(
      findings(`
import * as net from 'node:net';
const a = net.connect(80);
const b = net.connect(81);
a.write('first');
a.end();
a.end();
a.end(() => {});
a.end(undefined);
b.write('other');
`),
    ).toEqual([]);
  });

  it('prefers the end() verdict unless every path destroys in between', () => {
    expect(
      findings(`
import * as net from 'node:net';
export function f(s: net.Socket, flag: boolean) {
  s.end();
  if (flag) s.destroy();
  s.write('x');
}
export function g(s: net.Socket) {
  s.end();
  s.destroy();
  s.write('y');
}
`),
    ).toEqual([
      ["s.write('x')", 's.end()', 'end'],
      ["s.write('y')", 's.end()', 'destroy'],
    ]);
  });

  it('honours guards evaluated after the close, and only those', () => {
    expect(
      findings(`
import * as net from 'node:net';
export function guarded(s: net.Socket) {
  s.end();
  if (!s.writableEnded) s.write('1');
  s.writable && s.write('2');
  if (s.destroyed) return;
  s.write('3');
}
export function tooEarly(s: net.Socket) {
  if (!s.writableEnded) {
    s.end();
    s.write('4');
  }
}
export function notAGuard(s: net.Socket) {
  s.end();
  if (s.remotePort) s.write('5');
}
`),
    ).toEqual([
      ["s.write('4')", 's.end()', 'end'],
      ["s.write('5')", 's.end()', 'end'],
    ]);
  });

  it('follows aliases, this of function listeners, loops, and helpers that close before returning', () => {
    expect(
      findings(`
import * as net from 'node:net';
import { finish, hangUp, destroyWhenFlushed } from './no-write-after-end-helpers.js';
const socket = net.connect(80);
const alias = socket;
socket.on('data', function () { this.destroy(); this.write('1'); });
export function loop(items: string[]) {
  for (const item of items) { alias.write(item); socket.end(); }
}
export function helpers(s: net.Socket, t: net.Socket, u: net.Socket) {
  finish(s);
  s.write('2');
  hangUp(t);
  t.write('3');
  destroyWhenFlushed(u);
  u.write('not after');
}
`),
    ).toEqual([
      ["this.write('1')", 'this.destroy()', 'destroy'],
      ['alias.write(item)', 'socket.end()', 'end'],
      ["s.write('2')", 'finish(s)', 'end'],
      ["t.write('3')", 'hangUp(t)', 'destroy'],
    ]);
  });

  it('leaves tty streams, plain streams and any alone', () => {
    expect(
      findings(`
import { PassThrough } from 'node:stream';
// None of these is a net.Socket.
declare const anything: any;
const stream = new PassThrough();
stream.end();
stream.write('x');
process.stdout.end();
process.stdout.write('x');
anything.end();
anything.write('x');
`),
    ).toEqual([]);
  });
});

describe('helper summaries: synchronous closes', () => {
  it('tell closes before returning apart from closes in callbacks', () => {
    analyze(
      `
import * as net from 'node:net';
import { finish, finishLater, hangUp, destroyWhenFlushed, maybeEnd } from './no-write-after-end-helpers.js';
const s = net.connect(80);
finish(s);
finishLater(s);
hangUp(s);
destroyWhenFlushed(s);
maybeEnd(s, true);
`,
      model => {
        const summary = (name: string) => {
          const call = [...callsByText(model).values()].find(
            c => c.callee.type === AST_NODE_TYPES.Identifier && c.callee.name === name,
          )!;
          const effects = model.effectsOf(call, 0);
          return { sync: effects.closesAllSync, methods: [...(effects.syncCloseMethods ?? [])], all: effects.closesAll };
        };
        expect(summary('finish')).toEqual({ sync: true, methods: ['end'], all: true });
        expect(summary('finishLater')).toEqual({ sync: true, methods: ['end'], all: true });
        expect(summary('hangUp')).toEqual({ sync: true, methods: ['destroy'], all: true });
        expect(summary('destroyWhenFlushed')).toEqual({ sync: false, methods: [], all: true });
        expect(summary('maybeEnd')).toEqual({ sync: false, methods: ['end'], all: false });
        return null;
      },
    );
  });
});
