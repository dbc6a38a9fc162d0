import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';

import type { FileModel } from '../../src/engine/index.js';

import { analyze } from './analyze.js';

/** The kind of each `const` declared at the top level, by name. */
function kinds(code: string, settings?: Record<string, unknown>): Record<string, string | null> {
  return analyze(
    code,
    (model: FileModel) => {
      const out: Record<string, string | null> = {};
      for (const statement of model.sourceCode.ast.body) {
        const declaration =
          statement.type === AST_NODE_TYPES.ExportNamedDeclaration ? statement.declaration : statement;
        if (declaration?.type !== AST_NODE_TYPES.VariableDeclaration) {
          continue;
        }
        for (const declarator of declaration.declarations) {
          const id = declarator.id as TSESTree.Identifier;
          out[id.name] = model.kindOf(id);
        }
      }
      return out;
    },
    settings ? { settings } : {},
  );
}

describe('type recognition', () => {
  it('recognises net and tls sockets, through every import style and subclass', () => {
    expect(
      kinds(`
import * as net from 'node:net';
import { Socket, connect } from 'net';
import tls from 'node:tls';
class Wrapped extends net.Socket {}
const a = net.connect(80);
const b = new Socket();
const c = connect({ port: 80 });
const d = tls.connect(443, 'example.test');
const e = new Wrapped();
const f: net.Socket | null = null as net.Socket | null;
const g = a as net.Socket & { tag: string };
`),
    ).toEqual({ a: 'socket', b: 'socket', c: 'socket', d: 'socket', e: 'socket', f: 'socket', g: 'socket' });
  });

  it('tells tty streams and process stdio apart from TCP sockets', () => {
    expect(
      kinds(`
import * as tty from 'node:tty';
// tty streams are net.Socket subclasses.
const input = new tty.ReadStream(0);
const output = new tty.WriteStream(1);
const stdin = process.stdin;
const stdout = process.stdout;
`),
    ).toEqual({ input: 'tty', output: 'tty', stdin: 'tty', stdout: 'tty' });
  });

  it('recognises servers, http messages and fetch responses', () => {
    expect(
      kinds(`
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as http from 'node:http';
import * as https from 'node:https';
const netServer = net.createServer();
const tlsServer = tls.createServer({});
const httpServer = http.createServer();
const httpsServer = https.createServer({});
const request = http.get('http://example.test');
declare const message: http.IncomingMessage;
const incoming = message;
const response = await fetch('http://example.test');
`),
    ).toEqual({
      netServer: 'net-server',
      tlsServer: 'net-server',
      httpServer: 'http-server',
      httpsServer: 'http-server',
      request: 'client-request',
      message: 'incoming-message',
      incoming: 'incoming-message',
      response: 'fetch-response',
    });
  });

  it('classifies `this` inside a socket subclass, and constrained type parameters', () => {
    const result = analyze(
      `
import * as net from 'node:net';
class Conn extends net.Socket {
  hello() { return this; }
}
function pick<T extends net.Socket>(socket: T): T { return socket; }
export const a = new Conn().hello();
export const b = pick(new Conn());
`,
      (model: FileModel) => {
        const thisNodes: string[] = [];
        const visit = (node: { type: string; [key: string]: unknown }): void => {
          if (node.type === (AST_NODE_TYPES.ThisExpression as string)) {
            thisNodes.push(String(model.kindOf(node as unknown as TSESTree.Node)));
          }
          for (const value of Object.values(node)) {
            if (value && typeof value === 'object' && 'type' in value && (value as { parent?: unknown }).parent === node) {
              visit(value as { type: string });
            }
            if (Array.isArray(value)) {
              for (const item of value) {
                if (item && typeof item === 'object' && 'type' in item) {
                  visit(item as { type: string });
                }
              }
            }
          }
        };
        visit(model.sourceCode.ast as unknown as { type: string });
        return thisNodes;
      },
    );
    expect(result).toEqual(['socket']);
  });

  it('answers null for any, unknown, plain emitters and mixed unions', () => {
    expect(
      kinds(`
import * as net from 'node:net';
import { EventEmitter } from 'node:events';
declare const anything: any;
declare const something: unknown;
const a = anything;
const u = something;
const emitter = new EventEmitter();
const mixed = Math.random() > 0.5 ? net.connect(80) : new EventEmitter();
`),
    ).toEqual({ anything: null, something: null, a: null, u: null, emitter: null, mixed: null });
  });

  it('counts wrapper classes named in settings as sockets', () => {
    const code = `
class Connection { write(data: string) { return data.length; } }
export const conn = new Connection();
`;
    // Without the setting the file mentions nothing the engine looks at: it does not run at all.
    expect(() => kinds(code)).toThrow(/the engine did not run/);
    expect(kinds(`// Wraps a socket.\n${code}`)).toEqual({ conn: null });
    // A file that mentions a class named in settings is analysed, and its values are sockets.
    expect(kinds(code, { 'socket-leaks': { socketTypes: [{ from: 'file', name: 'Connection' }] } })).toEqual({
      conn: 'socket',
    });
  });
});
