import * as parser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import { PathIndex } from '../../src/engine/paths.js';
import plugin from '../../src/index.js';
import { fixturesDir } from '../rule-tester.js';

/**
 * Inputs built to hurt: huge files, deep nesting, recursion, long alias chains, untyped values, code the checker
 * cannot type. Every rule of the plugin runs on each; none may throw and none may take unbounded time. The time
 * bounds here are deliberately loose (the benchmark tracks speed); they only catch a runaway.
 */
function lintAll(code: string, filename = 'file.ts'): Linter.LintMessage[] {
  const linter = new Linter({ configType: 'flat' });
  const allRules = Object.fromEntries(Object.keys(plugin.rules).map(id => [`socket-leaks/${id}`, 'error' as const]));
  return linter.verify(
    code,
    [
      {
        files: ['**/*.ts', '**/*.js'],
        languageOptions: { parser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixturesDir } },
        plugins: { 'socket-leaks': plugin as never },
        rules: allRules,
      },
    ],
    { filename: path.join(fixturesDir, filename) },
  );
}

/** Lints and checks that nothing crashed: no fatal message, no rule exception (ESLint rethrows those). */
function survives(code: string, filename?: string): { messages: Linter.LintMessage[]; ms: number } {
  const start = performance.now();
  const messages = lintAll(code, filename);
  const ms = performance.now() - start;
  expect(messages.filter(message => message.fatal)).toEqual([]);
  return { messages, ms };
}

const HEADER = `import * as net from 'node:net';\nimport * as http from 'node:http';\n`;

describe('pathological input', () => {
  it('a file with 5,000 sockets', () => {
    const lines = [HEADER];
    for (let i = 0; i < 5000; i++) {
      lines.push(
        `const s${i} = net.connect(${1000 + (i % 100)});`,
        `s${i}.on('error', () => {});`,
        `s${i}.setTimeout(1000, () => { if (s${i}.bytesRead > ${i}) return; s${i}.destroy(); });`,
      );
    }
    const { messages, ms } = survives(lines.join('\n'));
    // Every listener has an early return without a close: the rule sees each one.
    expect(messages.filter(m => m.ruleId === 'socket-leaks/timeout-closes-socket')).toHaveLength(5000);
    expect(ms).toBeLessThan(120_000);
  }, 180_000);

  it('300-deep nested callbacks', () => {
    // Expression-bodied callbacks: typescript-eslint's own parser overflows the default stack on 300 levels of
    // block-bodied ones, before any rule runs.
    let body = `socket.on('timeout', () => { console.log('idle'); })`;
    for (let i = 0; i < 300; i++) {
      body = `setImmediate(() =>\n${body})`;
    }
    const { messages } = survives(`${HEADER}const socket = net.connect(80);\nsocket.on('error', () => {});\n${body};\n`);
    expect(messages.filter(m => m.ruleId === 'socket-leaks/timeout-closes-socket')).toHaveLength(1);
  }, 60_000);

  it('recursive and mutually recursive helpers that pass a socket around', () => {
    const code = `${HEADER}
function a(socket: net.Socket, n: number): void { if (n > 0) b(socket, n - 1); else a(socket, n + 1); }
function b(socket: net.Socket, n: number): void { a(socket, n); c(socket); }
function c(socket: net.Socket): void { c(socket); }
const self = (socket: net.Socket): void => self(socket);
const socket = net.connect(80);
socket.on('error', () => {});
socket.on('timeout', () => a(socket, 10));
socket.on('timeout', () => self(socket));
socket.on('timeout', () => c(socket));
`;
    survives(code);
  }, 60_000);

  it('a 10,000-step alias chain', () => {
    const lines = [HEADER, 'const a0 = net.connect(80);', "a0.on('error', () => {});"];
    for (let i = 1; i <= 10_000; i++) {
      lines.push(`const a${i} = a${i - 1};`);
    }
    lines.push(`a10000.on('timeout', () => { console.log('idle'); });`);
    const { ms } = survives(lines.join('\n'));
    expect(ms).toBeLessThan(120_000);
  }, 180_000);

  it('sockets typed any or unknown', () => {
    const { messages } = survives(`${HEADER}
declare const anySocket: any;
declare const unknownSocket: unknown;
anySocket.on('timeout', () => {});
anySocket.setTimeout(10, () => {});
(unknownSocket as any).on('timeout', () => {});
const s: any = net.connect(80);
s.on('timeout', () => {});
anySocket.write('x'); anySocket.end(); anySocket.write('y');
anySocket.resetAndDestroy();
`);
    expect(messages.filter(m => m.severity === 2)).toEqual([]);
  }, 60_000);

  it('syntax ESLint accepts but the checker cannot type', () => {
    survives(`${HEADER}
const socket = net.connect(missingPort);
socket.on('error', () => {});
socket.on(eventName, handler);
socket.on('timeout', undefinedHandler);
socket.setTimeout();
socket.on();
unknownThing.on('timeout', () => {});
new UnknownClass().on('timeout', () => {});
const server = net.createServer(undefined, null as never);
http.createServer({ keepAliveTimeout: 'x' as never }).on('upgrade', (req, sock) => sock.pipe(sock));
class Broken extends NotDefined { socket = net.connect(1); go() { this.socket.on('timeout', () => this.missing()); } }
`);
  }, 60_000);

  it('a file with no net import, and a JS file', () => {
    const { messages } = survives(`const x = { on(event: string, fn: () => void) { fn(); } };\nx.on('timeout', () => {});\n`);
    expect(messages).toEqual([]);
    survives(`const net = require('net');\nconst s = net.connect(80);\ns.on('error', () => {});\ns.on('timeout', function () { this.destroy(); });\n`, 'script.js');
  }, 60_000);

  it('a file parsed without typescript-eslint (espree): one configuration report, no crash', () => {
    const linter = new Linter({ configType: 'flat' });
    const allRules = Object.fromEntries(Object.keys(plugin.rules).map(id => [`socket-leaks/${id}`, 'error' as const]));
    const messages = linter.verify(
      "const net = require('node:net');\nnet.connect(80).on('timeout', () => {});\n",
      [{ files: ['**/*.js'], plugins: { 'socket-leaks': plugin as never }, rules: allRules }],
      { filename: path.join(fixturesDir, 'espree.js') },
    );
    expect(messages.map(message => message.messageId)).toEqual(['missingTypeInfo']);
  });

  it('a source code without traversal steps: an empty code-path index, nothing thrown', () => {
    // Every ESLint the plugin supports computes `sourceCode.traverse()`; anything else must degrade to no report.
    for (const sourceCode of [{}, { traverse: () => null }, { traverse: () => [{ target: 'onCodePathEnd', args: [] }] }]) {
      const index = PathIndex.of(sourceCode as never);
      expect(index.calls).toEqual([]);
      expect(index.stores).toEqual([]);
    }
  });
});
