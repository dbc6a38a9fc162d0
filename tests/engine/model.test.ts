import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';

import type { FileModel, Resource } from '../../src/engine/index.js';

import { receiverOf } from '../../src/engine/ast.js';
import { MemoKey } from '../../src/engine/model.js';
import { nodeApiOf } from '../../src/engine/node-api.js';
import { effectsOfArgument, resolveCallee } from '../../src/engine/summaries.js';
import { awaitedTypeOf, classifyType } from '../../src/engine/types.js';
import { jsFile } from '../rule-tester.js';
import { analyze } from './analyze.js';

/** A compact view of every resource: name, kind, origin, owned, half-open, escapes. */
function resources(code: string, filename?: string) {
  return analyze(
    code,
    (model: FileModel) =>
      model.allResources().map(r => ({
        name: r.name,
        kind: r.kind,
        origin: r.origin,
        owned: r.owned,
        halfOpen: r.halfOpen,
        paused: r.pausedOnConnect,
        escapes: model.escapes(r),
      })),
    filename ? { filename } : {},
  );
}

function only(list: ReturnType<typeof resources>, name: string) {
  const found = list.filter(r => r.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('origins', () => {
  it('finds created sockets with their options, in TS and in JS with require()', () => {
    const ts = resources(`
import * as net from 'node:net';
import { connect as tlsConnect } from 'node:tls';
const plain = net.connect(80);
const halfOpen = net.createConnection({ port: 80, allowHalfOpen: true });
const secure = tlsConnect({ port: 443 });
const made = new net.Socket();
`);
    expect(only(ts, 'plain')).toMatchObject({ kind: 'socket', origin: 'created', owned: true, halfOpen: false });
    expect(only(ts, 'halfOpen')).toMatchObject({ origin: 'created', halfOpen: true });
    expect(only(ts, 'secure')).toMatchObject({ kind: 'socket', origin: 'created' });
    expect(only(ts, 'made')).toMatchObject({ kind: 'socket', origin: 'created' });

    const js = resources(
      `
const net = require('node:net');
const { connect } = require('net');
const a = net.connect(80);
const b = connect(81);
`,
      jsFile,
    );
    expect(only(js, 'a')).toMatchObject({ kind: 'socket', origin: 'created' });
    expect(only(js, 'b')).toMatchObject({ kind: 'socket', origin: 'created' });
  });

  it('finds accepted sockets with the server options, and http upgrade sockets as half-open', () => {
    const list = resources(`
import * as net from 'node:net';
import * as http from 'node:http';
const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, conn => { conn.end(); });
const plain = net.createServer();
plain.on('connection', accepted => { accepted.resume(); });
const web = http.createServer();
web.on('upgrade', (req, upgraded, head) => { upgraded.end(); });
web.on('connection', managed => { console.log(managed.remotePort); });
`);
    expect(only(list, 'conn')).toMatchObject({ origin: 'accepted', owned: true, halfOpen: true, paused: true });
    expect(only(list, 'accepted')).toMatchObject({ origin: 'accepted', halfOpen: false, paused: false });
    expect(only(list, 'upgraded')).toMatchObject({ origin: 'http-upgrade', owned: true, halfOpen: true });
    // http.Server manages the sockets of its 'connection' event: not ours.
    expect(list.filter(r => r.name === 'managed')).toEqual([]);
    expect(only(list, 'server')).toMatchObject({ kind: 'net-server', origin: 'created' });
    expect(only(list, 'web')).toMatchObject({ kind: 'http-server' });
  });

  it('treats sockets returned by helpers of the program as owned, and other returned sockets as not', () => {
    const list = resources(`
import * as net from 'node:net';
import { lookup, openConnection } from './connect.js';
const fresh = openConnection(80);
const pooled = lookup(new Map<string, net.Socket>(), 'a');
`);
    expect(only(list, 'fresh')).toMatchObject({ kind: 'socket', origin: 'helper', owned: true });
    expect(list.filter(r => r.name === 'pooled')).toEqual([]);
  });

  it('resolves a name imported from a relative module by the importing file\'s directory', () => {
    // The same import in two directories binds two different functions: only the first returns a fresh socket.
    const code = `
import { make } from './make.js';
const socket = make(1);
`;
    const owns = (directory: string) =>
      resources(code, `${directory}/user.ts`).filter(r => r.name === 'socket' && r.origin === 'helper').length;
    for (const order of [['imports-a', 'imports-b'], ['imports-b', 'imports-a'], ['imports-a', 'imports-b']]) {
      expect(order.map(owns)).toEqual(order.map(directory => (directory === 'imports-a' ? 1 : 0)));
    }
  });

  it('finds client requests, their responses and fetch responses', () => {
    const list = resources(`
import * as http from 'node:http';
const req = http.get('http://example.test', res => { res.resume(); });
async function main() {
  const response = await fetch('http://example.test');
  await response.text();
}
`);
    expect(only(list, 'req')).toMatchObject({ kind: 'client-request', origin: 'request' });
    expect(only(list, 'res')).toMatchObject({ kind: 'incoming-message', origin: 'response', owned: true });
    expect(only(list, 'response')).toMatchObject({ kind: 'fetch-response', origin: 'fetch' });
  });
});

describe('references, aliases and escapes', () => {
  it('follows aliases, chains and fields', () => {
    const result = analyze(
      `
import * as net from 'node:net';
const socket = net.connect(80).setNoDelay(true);
const alias = socket;
let later: net.Socket;
later = alias;
later.on('data', () => {});
class Client {
  socket = net.connect(81);
  start() { this.socket.on('data', () => {}); }
  stop() { this.socket.destroy(); }
}
`,
      (model: FileModel) => {
        const socket = model.allResources().find(r => r.name === 'socket')!;
        const field = model.allResources().find(r => r.name === 'this.socket');
        return {
          variables: [...socket.variables].map(v => v.name).sort(),
          methods: socket.uses.flatMap(u => (u.kind === 'method' ? [u.name] : [])).sort(),
          fieldMethods: field?.uses.flatMap(u => (u.kind === 'method' ? [u.name] : [])),
        };
      },
    );
    expect(result.variables).toEqual(['alias', 'later', 'socket']);
    expect(result.methods).toEqual(['on', 'setNoDelay']);
    // A class field initialiser binds the field: every \`this.socket\` of the class refers to it.
    expect(result.fieldMethods?.sort()).toEqual(['destroy', 'on']);
  });

  it('reports escapes: returned, stored, collected, exported, handed to unseen code', () => {
    const list = resources(`
import * as net from 'node:net';
import { track } from './helpers.js';
declare function unseen(socket: net.Socket): void;
const pool = new Map<string, net.Socket>();
function make() { const returned = net.connect(1); return returned; }
const stored = net.connect(2);
const holder = { stored };
const collected = net.connect(3);
pool.set('a', collected);
export const exported = net.connect(4);
const handed = net.connect(5);
unseen(handed);
const tracked = net.connect(6);
track(tracked);
const logged = net.connect(7);
console.log(logged);
class Owner { sock?: net.Socket; keep() { const kept = net.connect(8); this.sock = kept; } }
`);
    for (const name of ['returned', 'stored', 'collected', 'handed', 'tracked', 'kept']) {
      expect({ name, escapes: only(list, name).escapes }).toEqual({ name, escapes: true });
    }
    expect(only(list, 'logged').escapes).toBe(false);
  });

  it('maps a listener target back to its resource through an alias', () => {
    const names = analyze(
      `
import * as net from 'node:net';
const socket = net.connect(80);
const s = socket;
s.on('timeout', () => {});
`,
      (model: FileModel) =>
        model.listeners.map(listener => ({ event: listener.event, resource: model.resourceOf(listener.target)?.name })),
    );
    expect(names).toEqual([{ event: 'timeout', resource: 'socket' }]);
  });
});

describe('code paths', () => {
  /** Whether each 'timeout' listener in the snippet closes its socket on every path. */
  function closes(body: string): boolean[] {
    return analyze(
      `
import * as net from 'node:net';
import { closeSocket, maybeClose, ping, wire } from './helpers.js';
declare const busy: boolean;
const socket = net.connect(80);
${body}
`,
      (model: FileModel) =>
        model.listeners
          .filter(listener => listener.event === 'timeout')
          .map(listener => {
            const handler = model.functionOf(listener.handlerArgument)!;
            const resource: Resource = model.resourceOf(listener.target)!;
            return model.closesOnEveryPath(handler, resource, listener.target);
          }),
    );
  }

  it('answers the every-path question on ESLint code paths', () => {
    expect(closes(`socket.on('timeout', () => socket.destroy());`)).toEqual([true]);
    expect(closes(`socket.on('timeout', () => { if (busy) return; socket.end(); });`)).toEqual([false]);
    expect(closes(`socket.on('timeout', () => { if (busy) throw new Error(); socket.end(); });`)).toEqual([true]);
    expect(closes(`socket.on('timeout', () => { if (busy) socket.end(); else socket.destroy(); });`)).toEqual([true]);
    expect(closes(`socket.on('timeout', () => { for (const x of [1]) socket.end(); });`)).toEqual([false]);
    expect(closes(`socket.on('timeout', () => { try { socket.end(); } finally { socket.destroy(); } });`)).toEqual([
      true,
    ]);
    expect(closes(`socket.on('timeout', () => { switch (String(busy)) { case 'a': socket.end(); break; default: socket.destroy(); } });`)).toEqual([true]);
    expect(closes(`socket.on('timeout', () => { switch (String(busy)) { case 'a': socket.end(); break; } });`)).toEqual([false]);
    expect(closes(`socket.on('timeout', () => busy && socket.destroy());`)).toEqual([false]);
  });

  it('uses helper summaries, across files, bounded on recursion', () => {
    expect(closes(`socket.on('timeout', () => closeSocket(socket));`)).toEqual([true]);
    expect(closes(`socket.on('timeout', () => maybeClose(socket, true));`)).toEqual([false]);
    // ping/pong recurse into each other and never close: the summary terminates and assumes nothing bad.
    expect(closes(`socket.on('timeout', () => ping(socket, 3));`)).toEqual([true]);
    // wire() registers an 'end' listener that ends: a close on some path, not on every path.
    expect(closes(`socket.on('timeout', () => wire(socket));`)).toEqual([false]);
  });
});

describe('chained assignments', () => {
  it('binds the outer variable of `a = holder.b = creation`, and records the property store as an escape', () => {
    const list = resources(`
import * as http from 'node:http';
const holder: { req?: http.ClientRequest } = {};
let req: http.ClientRequest;
req = holder.req = http.request('http://example.test');
req.end();
`);
    expect(only(list, 'req')).toMatchObject({ kind: 'client-request', origin: 'request', escapes: true });
  });
});

describe('listeners', () => {
  it('keeps the listeners in the order of their calls, factory callbacks among the registrations', () => {
    const code = `
import * as http from 'node:http';
import * as net from 'node:net';
import { connect as dial } from 'node:net';
export function main(url: string) {
  const early = net.connect(1);
  early.on('error', () => {});
  http.get(url, response => { response.resume(); }).on('error', () => {});
  const server = net.createServer(socket => { socket.on('data', () => {}); socket.setTimeout(1000, () => socket.destroy()); });
  server.on('error', () => {});
  const late = dial(2, () => { late.end(); });
  late.once('close', () => {});
  return [early, server];
}
`;
    const seen = analyze(code, (model: FileModel) => ({
      listeners: model.listeners.map(l => `${l.method}:${l.event}@${l.call.loc.start.line}`),
      positions: model.listeners.map(l => model.paths.calls.indexOf(l.call)),
    }));
    expect(seen.listeners).toEqual([
      'on:error@7',
      'on:error@8',
      'callback:response@8',
      'callback:connection@9',
      'on:data@9',
      'setTimeout:timeout@9',
      'on:error@10',
      'callback:connect@11',
      'once:close@12',
    ]);
    // The order of the calls themselves (ESLint enters `http.get(…).on(…)` before the `http.get(…)` inside it).
    expect(seen.positions).toEqual([...seen.positions].sort((a, b) => a - b));
  });

  it('says which events have a listener and which kinds of resource the file has, and sees a listener added later', () => {
    const code = `
import * as http from 'node:http';
import * as net from 'node:net';
export function main(url: string) {
  http.get(url, response => { response.resume(); }).on('error', () => {});
  const server = net.createServer(socket => { socket.on('data', () => {}); socket.setTimeout(1000, () => socket.destroy()); });
  return server;
}
`;
    const seen = analyze(code, (model: FileModel) => {
      const events = ['error', 'response', 'connection', 'data', 'timeout', 'end', 'close', 'upgrade'];
      const before = events.filter(event => model.hasListenerFor(event));
      const kinds = (['net-server', 'socket', 'client-request', 'http-server', 'fetch-response'] as const).filter(kind =>
        model.hasResourceOfKind(kind),
      );
      model.listeners.push({ ...model.listeners[0]!, event: 'upgrade' });
      return { before, kinds, upgradeAfter: model.hasListenerFor('upgrade'), endAfter: model.hasListenerFor('end') };
    });
    expect(seen).toEqual({
      before: ['error', 'response', 'connection', 'data', 'timeout'],
      // The accepted socket is the connection handler's parameter.
      kinds: ['net-server', 'socket', 'client-request'],
      upgradeAfter: true,
      endAfter: false,
    });
  });
});

describe('facts kept per file', () => {
  it('recalls what was remembered under a key on the same model only', () => {
    const key = new MemoKey<string[]>('test');
    const other = new MemoKey<string[]>('other');
    const first = analyze("import * as net from 'node:net';\nnet.connect(1);\n", model => {
      const before = model.recall(key);
      const kept = model.remember(key, ['a']);
      return { before, same: model.recall(key) === kept, otherKey: model.recall(other), value: model.recall(key) };
    });
    expect(first).toEqual({ before: undefined, same: true, otherKey: undefined, value: ['a'] });
    // A new file gets a new model: nothing remembered for the first one is seen.
    const second = analyze("import * as net from 'node:net';\nnet.connect(2);\n", model => model.recall(key));
    expect(second).toBeUndefined();
  });
});

describe('variableOf', () => {
  it('resolves references in every kind of scope, a switch discriminant and a class heritage included', () => {
    const resolved = analyze(
      `
import * as net from 'node:net';
const socket = net.connect(80);
class Wrapped extends net.Socket {}
export function pick(kind: string, fallback = socket) {
  switch (kind) {
    case 'a': { const inner = fallback; return inner; }
    default: for (const each of [socket]) { return each; }
  }
  return new Wrapped();
}
`,
      model => {
        const out: string[] = [];
        for (const scope of model.sourceCode.scopeManager?.scopes ?? []) {
          for (const reference of scope.references) {
            const found = model.variableOf(reference.identifier as never);
            out.push(`${reference.identifier.name}:${found === reference.resolved ? 'same' : 'different'}`);
          }
        }
        return out;
      },
    );
    expect(resolved).toContain('kind:same');
    expect(resolved).toContain('fallback:same');
    expect(resolved).toContain('net:same');
    expect(resolved.filter(entry => entry.endsWith(':different'))).toEqual([]);
    expect(resolved.length).toBeGreaterThan(8);
  });
});

describe('sockets made with new', () => {
  it('follows extends chains through declarations, mixins and aliases, and leaves other classes alone', () => {
    const list = resources(`
import * as net from 'node:net';
import { Socket as RenamedSocket } from 'node:net';
import { EventEmitter } from 'node:events';
class Base extends net.Socket {}
class Derived extends Base {}
function mixin<T extends new (...args: any[]) => object>(base: T) { return class extends base {}; }
class Mixed extends mixin(net.Socket) {}
class Plain extends EventEmitter {}
class Standalone { socket = 1; }
export const derived = new Derived();
export const renamed = new RenamedSocket();
export const mixed = new Mixed();
export const plain = new Plain();
export const standalone = new Standalone();
derived.on('error', () => {});
`);
    expect(list.map(r => r.name).sort()).toEqual(['derived', 'mixed', 'renamed']);
    expect(only(list, 'derived')).toMatchObject({ kind: 'socket', origin: 'created' });
  });
});

describe('apiOf', () => {
  /** Every call of the file: the model's answer next to the checker's. */
  function answers(code: string, filename?: string) {
    return analyze(
      code,
      (model: FileModel) =>
        model.paths.calls.map(call => ({
          callee: model.services.esTreeNodeToTSNodeMap.get(call.callee).getText(),
          model: model.apiOf(call),
          checker: nodeApiOf(call.callee, model.services.esTreeNodeToTSNodeMap, model.typeContext.checker),
        })),
      filename ? { filename } : {},
    );
  }

  it('reads imports of builtin modules as the checker resolves them, and asks the checker for the rest', () => {
    const calls = answers(`
import net from 'node:net';
import * as tls from 'tls';
import { createServer as serve, request } from 'node:http';
import { pipeline } from 'node:stream/promises';
import events, { once } from 'node:events';
import { EventEmitter } from 'events';
import stream = require('stream');
const a = net.connect(80);
const b = tls.connect(443);
serve(() => {});
request('http://localhost');
await pipeline(a, b);
await once(a, 'close');
await events.once(b, 'close');
EventEmitter.once(a, 'end');
stream.finished(a, () => {});
const local = { connect: (port: number) => port };
local.connect(1);
net.notAnExport?.();
`);
    for (const call of calls) {
      if (call.callee !== 'net.notAnExport') {
        expect(call.model, call.callee).toEqual(call.checker);
      }
    }
    const byCallee = Object.fromEntries(calls.map(call => [call.callee, call.model]));
    expect(byCallee).toMatchObject({
      'net.connect': { module: 'net', name: 'connect' },
      'tls.connect': { module: 'tls', name: 'connect' },
      serve: { module: 'http', name: 'createServer' },
      request: { module: 'http', name: 'request' },
      pipeline: { module: 'stream/promises', name: 'pipeline' },
      once: { module: 'events', name: 'once' },
      'events.once': { module: 'events', name: 'once' },
      'EventEmitter.once': { module: 'events', name: 'once' },
      'stream.finished': { module: 'stream', name: 'finished' },
      'local.connect': null,
      // A name the module does not export still reads as \`module.name\` (the checker knows no symbol); the rules only
      // ever look for names the module exports.
      'net.notAnExport': { module: 'net', name: 'notAnExport' },
    });
  });

  it('reads require() bindings in JS as the checker resolves them', () => {
    const calls = answers(
      `
const net = require('node:net');
const { connect, createServer: serve } = require('net');
const http = require('http');
net.connect(80);
connect(81);
serve(() => {});
http.get('http://localhost');
`,
      jsFile,
    );
    for (const call of calls) {
      expect(call.model, call.callee).toEqual(call.checker);
    }
    expect(calls.filter(call => call.callee !== 'require').map(call => `${call.model!.module}.${call.model!.name}`)).toEqual([
      'net.connect',
      'net.connect',
      'net.createServer',
      'http.get',
    ]);
  });
});

describe('kindOf', () => {
  /** The kind of every method call's receiver, keyed `name:line`, as the model answers and as the checker types it. */
  function receiverKinds(code: string) {
    return analyze(code, (model: FileModel) =>
      model.paths.calls.flatMap(call => {
        const receiver = call.type === AST_NODE_TYPES.CallExpression ? receiverOf(call) : null;
        if (receiver?.type !== AST_NODE_TYPES.Identifier) {
          return [];
        }
        const tsNode = model.services.esTreeNodeToTSNodeMap.get(receiver);
        return [
          {
            at: `${receiver.name}:${receiver.loc.start.line}`,
            model: model.kindOf(receiver),
            checker: classifyType(model.typeContext.checker.getTypeAtLocation(tsNode), model.typeContext),
          },
        ];
      }),
    );
  }

  /**
   * The model's kind of each node `pick` finds, the checker's kind there, and whether the model had the checker type
   * that node itself (rather than answering from a declaration or a signature).
   */
  function kindsAgainstChecker(
    code: string,
    pick: (model: FileModel) => { at: string; node: TSESTree.Node }[],
    filename?: string,
  ) {
    return analyze(
      code,
      (model: FileModel) => {
        const checker = model.typeContext.checker;
        const original = checker.getTypeAtLocation.bind(checker);
        const asked = new Set<unknown>();
        checker.getTypeAtLocation = node => {
          asked.add(node);
          return original(node);
        };
        try {
          return pick(model).map(({ at, node }) => {
            const tsNode = model.services.esTreeNodeToTSNodeMap.get(node);
            const kind = model.kindOf(node);
            return { at, model: kind, checker: classifyType(original(tsNode), model.typeContext), typedItself: asked.has(tsNode) };
          });
        } finally {
          checker.getTypeAtLocation = original;
        }
      },
      filename ? { filename } : {},
    );
  }

  /** Asserts that every kind found agrees with the checker's; returns `[kind, typed itself]` by place. */
  function agreed(seen: { at: string; model: unknown; checker: unknown; typedItself: boolean }[]) {
    for (const each of seen) {
      expect(each.model, each.at).toBe(each.checker);
    }
    return Object.fromEntries(seen.map(each => [each.at, [each.model, each.typedItself]]));
  }

  /** {@link kindsAgainstChecker} for every plain-name receiver of a call. */
  function typedReceivers(code: string, filename?: string) {
    return kindsAgainstChecker(
      code,
      model =>
        model.paths.calls.flatMap(call => {
          const receiver = call.type === AST_NODE_TYPES.CallExpression ? receiverOf(call) : null;
          return receiver?.type === AST_NODE_TYPES.Identifier ? [{ at: `${receiver.name}:${receiver.loc.start.line}`, node: receiver }] : [];
        }),
      filename,
    );
  }

  it('answers what the narrowed type of each reference says, through declared types and narrowing alike', () => {
    const kinds = receiverKinds(`
import * as net from 'node:net';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
const socket = net.connect(80);
socket.end();
function narrowed(stream: Duplex, either: net.Socket | string, loose: any) {
  stream.end();
  if (stream instanceof net.Socket) {
    stream.end();
  }
  if (typeof either !== 'string') {
    either.end();
  }
  loose.end();
}
let later: net.Socket | undefined;
later = net.connect(81);
later.end();
const server = http.createServer();
server.close();
export { narrowed };
`);
    for (const kind of kinds) {
      expect(kind.model, kind.at).toBe(kind.checker);
    }
    expect(Object.fromEntries(kinds.map(kind => [kind.at, kind.model]))).toEqual({
      'net:5': null,
      'socket:6': 'socket',
      'stream:8': 'duplex',
      'stream:10': 'socket',
      'either:13': 'socket',
      'loose:15': null,
      'net:18': null,
      'later:19': 'socket',
      'http:20': null,
      'server:21': 'http-server',
    });
  });

  it('answers "no kind" from a declared type alone only where no narrowing can give the reference one', () => {
    const code = `
import * as net from 'node:net';
import * as http from 'node:http';
import { EventEmitter } from 'node:events';
function isSocket(value: unknown): value is net.Socket { return value instanceof net.Socket; }
function assertSocket(value: unknown): asserts value is net.Socket { if (!isSocket(value)) throw new Error('no'); }
function guarded(emitter: EventEmitter, other: EventEmitter, holder: object, failure: Error | null, plain: Error, loose: unknown) {
  emitter.emit('x');
  if (emitter instanceof net.Socket) {
    emitter.end();
  }
  if (isSocket(other)) {
    other.end();
  }
  assertSocket(holder);
  holder.end();
  failure?.toString();
  plain.toString();
  String(loose);
}
http.createServer((req, res) => { res.end('ok'); req.resume(); });
net.connect(80).on('error', error => { error.toString(); });
function untyped(plain: any, checked: any, built: any, guardedAny: any, socket: net.Socket) {
  plain.end();
  if (plain === socket) {
    plain.end();
  }
  if (checked instanceof net.Socket) {
    checked.end();
  }
  if (built.constructor === net.Socket) {
    built.end();
  }
  if (isSocket(guardedAny)) {
    guardedAny.end();
  }
  for (const each of new Set<any>()) {
    each.end();
  }
}
export { guarded, untyped };
`;
    expect(agreed(typedReceivers(code))).toEqual({
      // Referenced where narrowing reaches another type (instanceof, a type guard, an assertion): typed itself.
      'emitter:8': [null, true],
      'emitter:10': ['socket', true],
      'other:13': ['socket', true],
      'holder:16': ['socket', true],
      // Nothing can narrow these to a kind: their declared types answer.
      'failure:17': [null, false],
      'plain:18': [null, false],
      'res:21': [null, false],
      'req:21': ['incoming-message', false],
      'error:22': [null, false],
      // A namespace import is never narrowed either.
      'http:21': [null, false],
      'net:22': [null, false],
      // An \`any\` is narrowed only by a check that names a type: nothing else gives it a kind.
      'plain:24': [null, false],
      'plain:26': [null, false],
      'checked:29': ['socket', true],
      'built:32': ['socket', true],
      'guardedAny:35': ['socket', true],
      'each:38': [null, false],
    });
  });

  it('reads the kind of a call of a plain name with one signature off that signature, as the checker types the call', () => {
    const code = `
import * as net from 'node:net';
import { lookup, openConnection } from './connect.js';
function same<T>(value: T): T { return value; }
function pick(port: number): net.Socket;
function pick(port: string): string;
function pick(port: number | string): net.Socket | string { return typeof port === 'number' ? net.connect(port) : port; }
async function later(): Promise<net.Socket> { return net.connect(1); }
const maybe: (() => net.Socket) | undefined = undefined;
export async function main(url: string) {
  const response = await fetch(url);
  const pending = fetch(url);
  const opened = openConnection(80);
  const found = lookup(new Map(), 'a');
  const kept = same(opened);
  const chosen = pick(80);
  const awaited = await later();
  const notAwaited = later();
  const optional = maybe?.();
  const wrong = openConnection('80' as unknown as number);
  return [response, pending, opened, found, kept, chosen, awaited, notAwaited, optional, wrong];
}
`;
    const seen = kindsAgainstChecker(code, model =>
      model.paths.stores.flatMap(store =>
        store.type === AST_NODE_TYPES.VariableDeclarator && store.id.type === AST_NODE_TYPES.Identifier && store.init
          ? [{ at: store.id.name, node: store.init }]
          : [],
      ),
    );
    expect(agreed(seen.filter(each => each.at !== 'maybe'))).toEqual({
      // One signature, no type parameters: its return type answers.
      response: ['fetch-response', false],
      pending: [null, false],
      opened: ['socket', false],
      found: ['socket', false],
      awaited: ['socket', false],
      notAwaited: [null, false],
      wrong: ['socket', false],
      // A generic or overloaded function, or an optional call: the call is typed itself.
      kept: ['socket', true],
      chosen: ['socket', true],
      optional: ['socket', true],
    });
  });

  it('reads a const initialised by such a call off the signature too, but not in JavaScript, where JSDoc may retype it', () => {
    const typescript = typedReceivers(`
import * as net from 'node:net';
import { openConnection } from './connect.js';
async function later(): Promise<net.Socket> { return net.connect(1); }
export async function main() {
  const opened = openConnection(80);
  opened.end();
  const awaited = await later();
  awaited.end();
  const annotated: NodeJS.EventEmitter = openConnection(81);
  annotated.emit('x');
  try {
    opened.write('x');
  } catch (failure: any) {
    failure.toString();
  }
}
`);
    expect(agreed(typescript)).toEqual({
      'net:4': [null, false],
      'opened:7': ['socket', false],
      'awaited:9': ['socket', false],
      // Annotated: the annotation is the declared type.
      'annotated:11': [null, false],
      'opened:13': ['socket', false],
      // A catch binding is declared once: an \`any\` no check narrows answers from its declaration.
      'failure:15': [null, false],
    });
    const javascript = typedReceivers(
      `
// net
const net = require('node:net');
function open() { return net.connect(80); }
/** @type {any} */
const hidden = open();
const plain = open();
hidden.end();
plain.end();
try {
  plain.write('x');
} catch (error) {
  error.toString();
}
`,
      jsFile,
    );
    for (const each of javascript) {
      expect(each.model, each.at).toBe(each.checker);
    }
    expect(Object.fromEntries(javascript.map(each => [each.at, each.model]))).toEqual({
      'net:4': null,
      'hidden:8': null,
      'plain:9': 'socket',
      'plain:11': 'socket',
      'error:13': null,
    });
  });

  it('types a socket narrowed to a tty stream as the tty stream it is', () => {
    const kinds = receiverKinds(`
import type * as net from 'node:net';
import * as tty from 'node:tty';
export function print(out: net.Socket): void {
  out.write('plain');
  if (out instanceof tty.WriteStream) {
    out.write('colour');
  }
}
`);
    expect(kinds.map(kind => [kind.at, kind.model, kind.checker])).toEqual([
      ['out:5', 'socket', 'socket'],
      ['out:7', 'tty', 'tty'],
    ]);
  });
});

describe('awaitedTypeOf', () => {
  it('answers what the checker answers for every awaited return type, reading Promise<T> off the reference where T is no promise', () => {
    const code = `
import * as net from 'node:net';
class Thenable { then(resolve: (value: net.Socket) => void): void { resolve(net.connect(1)); } }
interface Holder { socket: net.Socket }
enum Mode { A, B }
declare function response(): Promise<Response>;
declare function text(): Promise<string>;
declare function nothing(): Promise<void>;
declare function mode(): Promise<Mode>;
declare function literal(): Promise<'a' | 'b'>;
declare function socket(): Promise<net.Socket>;
declare function holder(): Promise<Holder>;
declare function maybe(): Promise<net.Socket | null>;
declare function nested(): Promise<PromiseLike<net.Socket>>;
declare function thenable(): Promise<Thenable>;
declare function partial(): Promise<Partial<Holder>>;
declare function record(): Promise<Record<string, net.Socket>>;
declare function like(): PromiseLike<net.Socket>;
declare function plain(): net.Socket;
declare function untyped(): any;
declare function unknownValue(): Promise<unknown>;
export {};
`;
    const seen = analyze(code, (model: FileModel) => {
      const checker = model.typeContext.checker;
      const original = checker.getAwaitedType.bind(checker);
      let asked = 0;
      checker.getAwaitedType = type => {
        asked++;
        return original(type);
      };
      try {
        return model.sourceCode.ast.body.flatMap(statement => {
          if (statement.type !== AST_NODE_TYPES.TSDeclareFunction || !statement.id) {
            return [];
          }
          const tsNode = model.services.esTreeNodeToTSNodeMap.get(statement);
          const signature = checker.getSignatureFromDeclaration(tsNode)!;
          const returned = checker.getReturnTypeOfSignature(signature);
          const before = asked;
          const answer = awaitedTypeOf(returned, model.typeContext);
          const read = asked === before;
          const expected = original(returned);
          return [{ name: statement.id.name, same: answer === expected, read, type: expected ? checker.typeToString(expected) : null }];
        });
      } finally {
        checker.getAwaitedType = original;
      }
    });
    for (const each of seen) {
      expect(each.same, each.name).toBe(true);
    }
    // Read off the reference: a primitive or an object type with no `then`; everything else asks the checker.
    expect(Object.fromEntries(seen.map(each => [each.name, [each.type, each.read]]))).toEqual({
      response: ['Response', true],
      text: ['string', true],
      nothing: ['void', true],
      mode: ['Mode', true],
      literal: ['"a" | "b"', false],
      socket: ['Socket', true],
      holder: ['Holder', true],
      maybe: ['Socket | null', false],
      nested: ['Socket', false],
      thenable: ['Socket', false],
      partial: ['Partial<Holder>', false],
      record: ['Record<string, Socket>', false],
      like: ['Socket', false],
      plain: ['Socket', false],
      untyped: ['any', false],
      unknownValue: ['unknown', false],
    });
  });
});

describe('calleeOf', () => {
  /** Every call of the file: the model's callee next to the one resolved from the name at the call. */
  function callees(code: string, filename?: string) {
    return analyze(
      code,
      (model: FileModel) =>
        model.paths.calls.map(call => {
          const tsCall = model.services.esTreeNodeToTSNodeMap.get(call);
          const ours = model.calleeOf(call);
          const checker = resolveCallee(tsCall, model.typeContext);
          return {
            callee: tsCall.expression.getText(),
            ours: { api: ours.api, declaration: ours.declaration?.getText().slice(0, 40) ?? null, perCall: ours.perCall },
            checker: { api: checker.api, declaration: checker.declaration?.getText().slice(0, 40) ?? null, perCall: checker.perCall },
            same: ours.declaration === checker.declaration,
          };
        }),
      filename ? { filename } : {},
    );
  }

  it('reads callees bound by imports and declarations off the declaration, as the checker resolves them at the call', () => {
    const calls = callees(`
import * as net from 'node:net';
import { closeSocket, endSocket as finish, maybeClose } from './helpers.js';
import { destroyLater } from './helpers-js.js';
import { connect } from 'node:net';
import assert from 'node:assert';
function local(socket: net.Socket): void { socket.end(); }
const arrow = (socket: net.Socket): void => { socket.destroy(); };
const expression = function named(socket: net.Socket): void { socket.end(); };
function overloaded(socket: net.Socket): void;
function overloaded(socket: net.Socket, force: boolean): void;
function overloaded(socket: net.Socket, force = false): void { if (force) socket.destroy(); else socket.end(); }
let reassigned = closeSocket;
reassigned = local;
class Holder { constructor(readonly socket: net.Socket) {} }
const socket = connect(80);
closeSocket(socket);
finish(socket);
maybeClose(socket, true);
destroyLater(socket);
local(socket);
arrow(socket);
expression(socket);
overloaded(socket);
overloaded(socket, true);
reassigned(socket);
new Holder(socket);
assert.ok(socket);
function shadow(closeSocket: (s: net.Socket) => void): void { closeSocket(socket); }
shadow(local);
`);
    expect(calls.map(call => call.callee)).toEqual(
      expect.arrayContaining(['closeSocket', 'finish', 'destroyLater', 'overloaded', 'reassigned', 'Holder']),
    );
    for (const call of calls) {
      expect(call.ours, call.callee).toEqual(call.checker);
      expect(call.same, call.callee).toBe(true);
    }
    expect(calls.find(call => call.callee === 'finish')?.ours.declaration).toMatch(/^\(socket/);
  });

  it('does the same in a JS file with require()', () => {
    const calls = callees(
      `
// net
const net = require('node:net');
const helpers = require('./helpers-js.js');
const { destroyLater } = require('./helpers-js.js');
function local(socket) { socket.end(); }
const socket = net.connect(80);
destroyLater(socket);
helpers.describeSocket(socket);
local(socket);
`,
      jsFile,
    );
    expect(calls.map(call => call.callee)).toEqual(expect.arrayContaining(['destroyLater', 'local']));
    for (const call of calls) {
      expect(call.ours, call.callee).toEqual(call.checker);
      expect(call.same, call.callee).toBe(true);
    }
  });
});

describe('effectsOf', () => {
  it('answers for calls through builtin-module bindings what the checker-based summary answers', () => {
    const effects = analyze(
      `
import net from 'node:net';
import assert from 'node:assert';
import util from 'node:util';
import { pipeline } from 'node:stream/promises';
import { finished } from 'node:stream';
import events, { once } from 'node:events';
import * as eventsNamespace from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
const socket = net.connect(80);
const other = net.connect(81);
await pipeline(socket, other);
finished(socket, () => {});
await events.once(socket, 'close');
await once(socket, 'close');
await eventsNamespace.once(socket, 'close');
console.log(util.inspect(socket));
assert.ok(socket);
await sleep(10, socket);
net.isIP(String(socket));
`,
      (model: FileModel) =>
        model.paths.calls
          .filter(call => call.arguments.length > 0)
          .map(call => {
            const tsCall = model.services.esTreeNodeToTSNodeMap.get(call);
            return {
              callee: tsCall.expression.getText(),
              model: model.effectsOf(call, 0),
              checker: effectsOfArgument(tsCall, 0, model.summaryContext),
            };
          }),
    );
    const callees = effects.map(effect => effect.callee);
    expect(callees).toEqual(expect.arrayContaining(['pipeline', 'finished', 'events.once', 'util.inspect', 'assert.ok', 'sleep']));
    for (const effect of effects) {
      if (effect.callee !== 'eventsNamespace.once') {
        expect(effect.model, effect.callee).toEqual(effect.checker);
      }
    }
    // Through a namespace import of an `export =` module the checker's symbol has no declaration to name the API by
    // (so it answered "code we cannot see"); the binding says it is events.once, as the other two imports do.
    const byCallee = new Map(effects.map(effect => [effect.callee, effect]));
    expect(byCallee.get('eventsNamespace.once')?.checker.closesAll).toBe(true);
    expect(byCallee.get('eventsNamespace.once')?.model).toEqual(byCallee.get('once')?.checker);
    expect(byCallee.get('events.once')?.model).toEqual(byCallee.get('once')?.checker);
  });

  it('answers for the methods of a collection made in a const what the checker answers, without resolving them', () => {
    const answers = (code: string) =>
      analyze(code, (model: FileModel) => {
        const resolved: string[] = [];
        const calleeOf = model.calleeOf.bind(model);
        model.calleeOf = call => {
          resolved.push(model.sourceCode.getText(call.callee));
          return calleeOf(call);
        };
        const found = model.paths.calls
          .filter(call => call.arguments.some(argument => argument.type === AST_NODE_TYPES.Identifier && argument.name === 'socket'))
          .map(call => {
            const tsCall = model.services.esTreeNodeToTSNodeMap.get(call);
            const index = call.arguments.findIndex(argument => argument.type === AST_NODE_TYPES.Identifier && argument.name === 'socket');
            return {
              callee: tsCall.expression.getText(),
              model: { effects: model.effectsOf(call, index), api: model.apiOf(call) },
              checker: { effects: effectsOfArgument(tsCall, index, model.summaryContext), api: resolveCallee(tsCall, model.typeContext).api },
            };
          });
        return { found, resolved };
      });
    const local = answers(`
import * as net from 'node:net';
const socket = net.connect(80);
const clients = new Set<net.Socket>();
const list: net.Socket[] = [];
const byName = new Map<string, net.Socket>();
clients.add(socket);
list.push(socket);
byName.set('a', socket);
clients.delete(socket);
`);
    expect(local.found.map(answer => answer.callee)).toEqual(['clients.add', 'list.push', 'byName.set', 'clients.delete']);
    for (const answer of local.found) {
      expect(answer.model, answer.callee).toEqual(answer.checker);
    }
    expect(local.resolved).toEqual([]);
    // A shadowed constructor or a \`let\` is resolved: its methods may be code of the program.
    const shadowed = answers(`
import * as net from 'node:net';
class Set<T> { add(value: T): void { (value as net.Socket).destroy(); } }
const socket = net.connect(80);
const clients = new Set<net.Socket>();
let others = new Map<string, net.Socket>();
clients.add(socket);
others.set('a', socket);
`);
    expect([...new Set(shadowed.resolved)]).toEqual(['clients.add', 'others.set']);
    for (const answer of shadowed.found) {
      expect(answer.model, answer.callee).toEqual(answer.checker);
    }
    expect(shadowed.found[0]?.model.effects.closesAll).toBe(true);
  });
});
