import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { describe, expect, it } from 'vitest';

import type { FileModel, Resource } from '../../src/engine/index.js';

import {
  CONNECTED_EVENTS,
  closesUnconditionally,
  creatingFunction,
  endsAfterPeerFin,
  handedOff,
  helperReadsReturned,
  insertAfterOrigin,
  pipedInto,
  readStateOf,
  readsResource,
  untypedBinding,
} from '../../src/engine/lifetime.js';
import { analyze } from './analyze.js';

/** The socket resource named `name` in the model. */
function socketNamed(model: FileModel, name: string): Resource {
  const found = model.allResources().find(resource => resource.kind === 'socket' && resource.name === name);
  if (!found) {
    throw new Error(`no socket named ${name}: ${model.allResources().map(r => r.name).join(', ')}`);
  }
  return found;
}

/** Runs `query` on every socket resource, keyed by name. */
function perSocket<T>(code: string, query: (model: FileModel, resource: Resource) => T): Record<string, T> {
  return analyze(code, model => {
    const out: Record<string, T> = {};
    for (const resource of model.allResources()) {
      if (resource.kind === 'socket') {
        out[resource.name] = query(model, resource);
      }
    }
    return out;
  });
}

/** A fixer that records edits as plain objects, so that a fix can be applied to the source text. */
const recordingFixer = {
  insertTextAfter: (node: TSESTree.Node, text: string) => ({ range: [node.range[1], node.range[1]], text }),
  insertTextBefore: (node: TSESTree.Node, text: string) => ({ range: [node.range[0], node.range[0]], text }),
  replaceText: (node: TSESTree.Node, text: string) => ({ range: node.range, text }),
} as unknown as TSESLint.RuleFixer;

function applyInsertion(code: string, name: string): string | null {
  return analyze(code, model => {
    const insertion = insertAfterOrigin(model, socketNamed(model, name), n => `${n}.resume();`);
    if (!insertion) {
      return null;
    }
    const fix = insertion.fix(recordingFixer) as unknown as { range: [number, number]; text: string };
    return code.slice(0, fix.range[0]) + fix.text + code.slice(fix.range[1]);
  });
}

describe('readStateOf', () => {
  it('sees every way of consuming the readable side', () => {
    expect(
      perSocket(
        `
import * as net from 'node:net';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { drain } from './consume-socket-helpers.js';
const data = net.connect(1);
data.on('data', chunk => console.log(chunk));
const piped = net.connect(2);
piped.pipe(process.stdout);
const resumed = net.connect(3).resume();
const alias = net.connect(4);
const other = alias;
other.read();
const lined = net.connect(5);
void pipeline(lined, process.stdout);
const helped = net.connect(6);
drain(helped);
const awaited = net.connect(7);
void once(awaited, 'data');
async function iterate() {
  const looped = net.connect(8);
  for await (const chunk of looped) console.log(chunk);
}
void iterate();
`,
        readStateOf,
      ),
    ).toEqual({
      data: 'reads',
      piped: 'reads',
      resumed: 'reads',
      alias: 'reads',
      lined: 'reads',
      helped: 'reads',
      awaited: 'reads',
      looped: 'reads',
    });
  });

  it('tells never-read, paused and readable-without-read sockets apart', () => {
    expect(
      perSocket(
        `
import * as net from 'node:net';
import { pipeline } from 'node:stream';
import { watch } from './consume-socket-helpers.js';
const nothing = net.connect(1);
nothing.on('end', () => nothing.destroy());
const watched = net.connect(2);
watch(watched);
const paused = net.connect(3);
paused.on('data', () => paused.pause());
const repaused = net.connect(4);
repaused.pause();
repaused.resume();
const readable = net.connect(5);
readable.on('readable', () => console.log(readable.readableLength));
const drained = net.connect(6);
drained.on('readable', function () { while (this.read() !== null); });
const destination = net.connect(7);
pipeline(process.stdin, destination, () => {});
`,
        readStateOf,
      ),
    ).toEqual({
      nothing: 'never-read',
      watched: 'never-read',
      paused: 'paused',
      repaused: 'reads',
      readable: 'readable-without-read',
      drained: 'reads',
      destination: 'never-read',
    });
  });

  it('treats pauseOnConnect sockets as paused until something restarts reading', () => {
    const states = analyze(
      `
import * as net from 'node:net';
net.createServer({ pauseOnConnect: true }, first => { first.on('data', d => console.log(d)); });
net.createServer({ pauseOnConnect: true }, second => { second.pipe(process.stdout); });
`,
      model => [readStateOf(model, socketNamed(model, 'first')), readsResource(model, socketNamed(model, 'second'))],
    );
    expect(states).toEqual(['paused', true]);
  });

  it('looks inside the helpers that create a socket', () => {
    expect(
      perSocket(
        `
import { openChained, openReader, openWriter } from './consume-socket-helpers.js';
const writer = openWriter(1);
const reader = openReader(2);
const chained = openChained(3);
`,
        (model, resource) => [resource.origin, helperReadsReturned(model, resource), readStateOf(model, resource)],
      ),
    ).toEqual({
      writer: ['helper', false, 'never-read'],
      reader: ['helper', true, 'reads'],
      chained: ['helper', true, 'reads'],
    });
  });
});

describe('pipedInto', () => {
  it('is true when another stream (or the socket itself) is piped into it, not when it is only a source', () => {
    expect(
      perSocket(
        `
import * as net from 'node:net';
import * as fs from 'node:fs';
import { pipeline, PassThrough } from 'node:stream';
const echo = net.connect(1);
echo.pipe(echo);
const target = net.connect(2);
fs.createReadStream('a').pipe(target);
const kept = net.connect(3);
fs.createReadStream('a').pipe(kept, { end: false });
const middle = net.connect(4);
pipeline(process.stdin, middle, new PassThrough(), () => {});
const source = net.connect(5);
pipeline(source, new PassThrough(), () => {});
const both = net.connect(6);
pipeline(both, new PassThrough(), both, () => {});
`,
        pipedInto,
      ),
    ).toEqual({ echo: true, target: true, kept: false, middle: true, source: false, both: true });
  });
});

describe('endsAfterPeerFin', () => {
  it("finds 'end' paths: listeners, partners, helpers, once(), for await, pipeline callbacks", () => {
    expect(
      perSocket(
        `
import * as net from 'node:net';
import { once } from 'node:events';
import { pipeline, Writable } from 'node:stream';
import { endOnPeerEnd, logPeerEnd } from './end-half-open-socket-helpers.js';
const direct = net.connect({ port: 1, allowHalfOpen: true });
direct.on('end', () => direct.end());
const viaThis = net.connect({ port: 2, allowHalfOpen: true });
viaThis.once('end', function () { this.destroy(); });
const partnered = net.connect({ port: 3, allowHalfOpen: true });
const partner = net.connect(4);
partner.on('close', () => partnered.destroy());
const helped = net.connect({ port: 5, allowHalfOpen: true });
endOnPeerEnd(helped);
const logged = net.connect({ port: 6, allowHalfOpen: true });
logPeerEnd(logged);
const onClose = net.connect({ port: 7, allowHalfOpen: true });
onClose.on('close', () => onClose.destroy());
async function wait() {
  const waited = net.connect({ port: 8, allowHalfOpen: true });
  await once(waited, 'end');
  waited.end();
  const looped = net.connect({ port: 9, allowHalfOpen: true });
  for await (const chunk of looped) console.log(chunk);
  looped.destroy();
}
void wait();
const sunk = net.connect({ port: 10, allowHalfOpen: true });
pipeline(sunk, new Writable(), () => sunk.end());
const unsunk = net.connect({ port: 11, allowHalfOpen: true });
pipeline(unsunk, new Writable(), () => {});
`,
        endsAfterPeerFin,
      ),
    ).toEqual({
      direct: true,
      viaThis: true,
      partnered: true,
      partner: false,
      helped: true,
      logged: false,
      onClose: false,
      waited: true,
      looped: true,
      sunk: true,
      unsunk: false,
    });
  });
});

describe('closesUnconditionally', () => {
  it('asks whether every path of the creating handler closes it, counting only callbacks that always run', () => {
    expect(
      perSocket(
        `
import * as net from 'node:net';
net.createServer(daytime => { daytime.end(new Date().toISOString()); });
net.createServer(early => { if (!early.remoteAddress) return; early.end('x'); });
net.createServer(later => { later.write('bye', () => later.destroy()); });
net.createServer(onData => { onData.on('data', () => onData.end()); });
net.createServer(idle => { idle.setTimeout(1000, () => idle.destroy()); });
const client = net.connect(80, () => client.end('hello'));
`,
        (model, resource) => [
          closesUnconditionally(model, resource, CONNECTED_EVENTS),
          closesUnconditionally(model, resource, new Set([...CONNECTED_EVENTS, 'timeout'])),
        ],
      ),
    ).toEqual({
      daytime: [true, true],
      early: [false, false],
      later: [true, true],
      onData: [false, false],
      idle: [false, true],
      client: [true, true],
    });
  });

  it('knows the function that created or received the socket', () => {
    const kinds = analyze(
      `
import * as net from 'node:net';
const top = net.connect(1);
net.createServer(accepted => accepted.end());
`,
      model => [creatingFunction(socketNamed(model, 'top')).type, creatingFunction(socketNamed(model, 'accepted')).type],
    );
    expect(kinds).toEqual(['Program', 'ArrowFunctionExpression']);
  });
});

describe('handedOff', () => {
  it('is true for returned, stored, exported and opaque hand-offs, not for pipe()/pipeline()', () => {
    expect(
      perSocket(
        `
import * as net from 'node:net';
import { pipeline, Writable } from 'node:stream';
declare function adopt(socket: net.Socket): void;
function make() {
  const returned = net.connect(1);
  return returned;
}
void make;
const pool = new Map<number, net.Socket>();
const stored = net.connect(2);
pool.set(2, stored);
export const exported = net.connect(3);
const adopted = net.connect(4);
adopt(adopted);
const piped = net.connect(5);
pipeline(piped, new Writable(), () => {});
process.stdin.pipe(piped);
const logged = net.connect(6);
console.log(logged);
`,
        handedOff,
      ),
    ).toEqual({ returned: true, stored: true, exported: true, adopted: true, piped: false, logged: false });
  });
});

describe('untypedBinding', () => {
  it('is true only for a binding whose declared type is not a socket', () => {
    expect(
      perSocket(
        `
import * as net from 'node:net';
const anyTyped: any = net.connect(1);
const inferred = net.connect(2);
const declared: net.Socket = net.connect(3);
`,
        untypedBinding,
      ),
    ).toEqual({ anyTyped: true, inferred: false, declared: false });
  });
});

describe('insertAfterOrigin', () => {
  it('inserts at the start of a receiving handler, or after the creating statement', () => {
    expect(
      applyInsertion(
        `
import * as net from 'node:net';
net.createServer(socket => {
  socket.write('hi');
});
`,
        'socket',
      ),
    ).toBe(`
import * as net from 'node:net';
net.createServer(socket => {
  socket.resume();
  socket.write('hi');
});
`);
    expect(
      applyInsertion(
        `
import * as net from 'node:net';
function run() {
    const client = net.connect(80)
      .on('error', () => {});
    client.write('x');
}
run();
`,
        'client',
      ),
    ).toBe(`
import * as net from 'node:net';
function run() {
    const client = net.connect(80)
      .on('error', () => {});
    client.resume();
    client.write('x');
}
run();
`);
    expect(applyInsertion(`import * as net from 'node:net';\nnet.createServer(s => { }).listen(0);\n`, 's')).toBe(
      `import * as net from 'node:net';\nnet.createServer(s => { s.resume(); }).listen(0);\n`,
    );
  });

  it('gives up where there is no statement to anchor on', () => {
    expect(applyInsertion(`import * as net from 'node:net';\nnet.createServer(s => s.write('x'));\n`, 's')).toBeNull();
    expect(applyInsertion(`import * as net from 'node:net';\nnet.connect(80).write('x');\n`, 'socket')).toBeNull();
  });
});

describe('accepted sockets of named handlers', () => {
  it('are found when the handler is declared before the server that uses it', () => {
    const found = analyze(
      `
import { createServer, type Socket } from 'node:net';
function echo(socket: Socket): void {
  socket.on('data', chunk => socket.write(chunk));
}
createServer({ allowHalfOpen: true }, echo);
`,
      model => {
        const socket = socketNamed(model, 'socket');
        return [socket.origin, socket.owned, socket.halfOpen];
      },
    );
    expect(found).toEqual(['accepted', true, true]);
  });
});
