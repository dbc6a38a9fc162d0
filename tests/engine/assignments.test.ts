import type { TSESTree } from '@typescript-eslint/utils';

import { parse } from '@typescript-eslint/parser';
import { AST_NODE_TYPES, ESLintUtils } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';

import type { OverwriteChain } from '../../src/engine/assignments.js';

import { impliesEmpty, socketOverwrites, socketWrites } from '../../src/engine/assignments.js';
import { engineMessages, runSocketRule } from '../../src/engine/index.js';
import { createRuleTester } from '../rule-tester.js';

const createProbe = ESLintUtils.RuleCreator(name => name);

/** Reports every socket write: its target, whether it creates a fresh socket, and whether it is an initializer. */
const writesProbe = createProbe({
  name: 'writes-probe',
  meta: { type: 'problem', docs: { description: 'probe' }, schema: [], messages: { ...engineMessages, fact: '{{text}}' } },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      for (const write of socketWrites(model)) {
        const flags = [write.fresh ? `fresh:${write.fresh.origin}` : 'not-fresh', write.initial ? 'initial' : '', write.inConstructor ? 'constructor' : '']
          .filter(Boolean)
          .join(' ');
        context.report({ node: write.node, messageId: 'fact', data: { text: `${context.sourceCode.getText(write.target)} ${flags}` } });
      }
    });
  },
});

function describeChain(chain: OverwriteChain): string {
  const steps = chain.steps
    .map(step => (step.entry.kind === 'listener' ? `listener:${step.entry.listener.event}` : step.entry.kind))
    .join('>');
  const old = chain.old ? `${chain.old.listener.event}${chain.old.halfOpen ? '/half-open' : ''}` : '-';
  return `${steps} old=${old} prior=${chain.hasPrior} repeats=${chain.repeats} closed=${chain.closedFirst}`;
}

/** Reports every overwrite with its chains. */
const overwritesProbe = createProbe({
  name: 'overwrites-probe',
  meta: { type: 'problem', docs: { description: 'probe' }, schema: [], messages: { ...engineMessages, fact: '{{text}}' } },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      for (const overwrite of socketOverwrites(model)) {
        context.report({
          node: overwrite.write.node,
          messageId: 'fact',
          data: { text: `${overwrite.name}: ${overwrite.chains.map(describeChain).join(' | ')}` },
        });
      }
    });
  },
});

const ruleTester = createRuleTester();
const facts = (...texts: string[]) => texts.map(text => ({ messageId: 'fact' as const, data: { text } }));

ruleTester.run('socketWrites', writesProbe, {
  valid: [
    // Not sockets.
    `
let n = 1;
n = 2;
class C { timer = setTimeout(() => {}, 1); }
`,
  ],
  invalid: [
    {
      code: `
import * as net from 'node:net';
let s = net.connect(80);
s = net.connect(81).on('error', () => {});
class C {
  f = new net.Socket();
  constructor(other: net.Socket) {
    this.f = net.connect(2);
    this.f = other;
  }
}
`,
      errors: facts(
        's fresh:created initial',
        's fresh:created',
        'key fresh:created initial'.replace('key', 'f'),
        'this.f fresh:created constructor',
        'this.f not-fresh constructor',
      ),
    },
    {
      code: `
import { openConnection } from './connect.js';
let conn;
conn = openConnection(80);
`,
      errors: facts('conn fresh:helper'),
    },
  ],
});

ruleTester.run('socketOverwrites', overwritesProbe, {
  valid: [
    // Guarded by "is it empty or destroyed", or a logical assignment: never an overwrite.
    `
import * as net from 'node:net';
class Pool {
  socket: net.Socket | null = null;
  get(): net.Socket {
    if (!this.socket || this.socket.destroyed) {
      this.socket = net.connect(80);
    }
    this.socket ??= net.connect(81);
    return this.socket;
  }
}
`,
    // The old socket is handed to the new one.
    `
import * as net from 'node:net';
import * as tls from 'node:tls';
let socket: net.Socket = net.connect(25);
socket = tls.connect({ socket });
`,
  ],
  invalid: [
    {
      // The old value of the field is the socket whose 'end' listener runs the write (returned by connect()).
      code: `
import * as net from 'node:net';
class Client {
  socket: net.Socket;
  constructor() {
    this.socket = this.connect();
  }
  connect(): net.Socket {
    const socket = net.connect({ port: 80, allowHalfOpen: true });
    socket.on('end', () => {
      this.socket = this.connect();
    });
    return socket;
  }
}
`,
      errors: facts(
        'this.socket: constructor old=- prior=false repeats=false closed=false',
        'this.socket: listener:end>call>constructor old=end/half-open prior=true repeats=false closed=false | listener:end>call old=end/half-open prior=true repeats=false closed=false',
      ),
    },
    {
      // A guarded destroy covers both branches; a named function passed to setInterval repeats.
      code: `
import * as net from 'node:net';
let s: net.Socket | undefined = net.connect(80);
function reconnect() {
  if (s) s.destroy();
  s = net.connect(80);
}
function replace() {
  s = net.connect(81);
}
setInterval(replace, 1000);
reconnect();
`,
      errors: facts(
        's: call>program old=- prior=true repeats=false closed=true',
        's: timer>program old=- prior=true repeats=true closed=false',
      ),
    },
    {
      // A loop whose body waits for 'close' first; a timer in 'close' that does not repeat.
      code: `
import * as net from 'node:net';
import { once } from 'node:events';
export async function run(): Promise<void> {
  let s = net.connect(80);
  for (;;) {
    await once(s, 'close');
    s = net.connect(80);
    s.on('close', () => setTimeout(() => { s = net.connect(82); }, 10));
  }
}
`,
      errors: facts(
        's: unknown old=- prior=true repeats=false closed=true',
        's: timer>listener:close>unknown old=close prior=true repeats=false closed=false',
      ),
    },
  ],
});

describe('impliesEmpty', () => {
  const test = (source: string): TSESTree.Node => {
    const program = parse(`(${source});`, { range: true });
    const statement = program.body[0] as TSESTree.ExpressionStatement;
    return statement.expression;
  };
  const isOld = (node: TSESTree.Node): boolean =>
    (node.type === AST_NODE_TYPES.Identifier && node.name === 's') ||
    (node.type === AST_NODE_TYPES.MemberExpression &&
      node.object.type === AST_NODE_TYPES.ThisExpression &&
      !node.computed &&
      node.property.type === AST_NODE_TYPES.Identifier &&
      node.property.name === 'socket');

  it.each([
    ['!s', true, true],
    ['s', false, true],
    ['s', true, false],
    ['s == null', true, true],
    ['s !== undefined', false, true],
    ['!this.socket || this.socket.destroyed', true, true],
    ['this.socket && !this.socket.destroyed', false, true],
    ['this.socket && !this.socket.destroyed', true, false],
    ['s?.destroyed', true, true],
    ['!s.writable', true, true],
    ['other', false, false],
    ['s.connecting', true, false],
  ])('%s evaluating to %s means empty or closed: %s', (source, outcome, expected) => {
    expect(impliesEmpty(test(source), outcome, isOld)).toBe(expected);
  });
});
