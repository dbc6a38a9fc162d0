import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';

import { connectionHandlers, createdServers, httpReapingOff, idleNetServers, isStaticZero } from '../../src/engine/servers.js';
import { analyze } from './analyze.js';

describe('connectionHandlers', () => {
  it('collects the factory callback and connection listeners, through aliases', () => {
    const result = analyze(
      `
import * as net from 'node:net';
import * as tls from 'node:tls';
const server = net.createServer(socket => socket.end());
const alias = server;
alias.on('connection', conn => conn.end());
server.on('listening', () => {});
const secure = tls.createServer({});
secure.on('secureConnection', s => s.end());
`,
      model =>
        createdServers(model, 'net-server').map(server => ({
          server: server.name,
          handlers: connectionHandlers(model, server).map(handler => [handler.listener.event, handler.param?.name ?? null]),
        })),
    );
    expect(result).toEqual([
      { server: 'server', handlers: [['connection', 'socket'], ['connection', 'conn']] },
      { server: 'secure', handlers: [['secureConnection', 's']] },
    ]);
  });
});

describe('idleNetServers', () => {
  it('reports servers whose visible handlers never arm a timeout with a listener', () => {
    const idle = analyze(
      `
import * as net from 'node:net';
import { armIdleTimeout, logWhenIdle, echo } from './server-reaps-idle-sockets-helpers.js';
export const silent = net.createServer(socket => { socket.on('data', d => socket.write(d)); });
export const timed = net.createServer(socket => { socket.setTimeout(1000, () => socket.destroy()); });
export const timedLater = net.createServer(socket => { socket.setTimeout(1000); socket.on('timeout', () => socket.end()); });
export const helped = net.createServer(socket => { armIdleTimeout(socket, 1000); });
export const logged = net.createServer(socket => { logWhenIdle(socket); });
export const daytime = net.createServer(socket => { socket.end(String(Date.now())); });
export const kept = net.createServer(socket => { pool.push(socket); });
export const invisible = net.createServer(echo);
export const bare = net.createServer();
export const onlyOnEnd = net.createServer(socket => { socket.on('end', () => socket.end()); });
const pool: net.Socket[] = [];
`,
      model => idleNetServers(model).map(found => found.server.name),
    );
    // 'logged' arms a timeout whose listener only logs: timeout-closes-socket reports that, in the helper's file.
    expect(idle).toEqual(['silent', 'onlyOnEnd']);
  });
});

describe('httpReapingOff', () => {
  it('reads options and assignments, and works out what a 0 turns off', () => {
    const found = analyze(
      `
import * as http from 'node:http';
const OFF = 0;
export const a = http.createServer({ keepAliveTimeout: 0, headersTimeout: 1000 });
export const b = http.createServer({ requestTimeout: 0 });
export const c = http.createServer({ requestTimeout: 0, headersTimeout: 5000 });
export const d = http.createServer();
d.headersTimeout = OFF;
const e = http.createServer();
const alias = e;
alias.requestTimeout = 0;
alias.keepAliveTimeout = 5000;
export const f = http.createServer({ keepAliveTimeout: 1000, headersTimeout: 0, requestTimeout: 0 });
`,
      model => httpReapingOff(model).map(setting => [setting.serverName, setting.option, setting.effect]),
    );
    expect(found).toEqual([
      ['a', 'keepAliveTimeout', 'keepAlive'],
      ['b', 'requestTimeout', 'checker'],
      ['c', 'requestTimeout', 'request'],
      ['d', 'headersTimeout', 'headers'],
      ['e', 'requestTimeout', 'request'],
      ['f', 'headersTimeout', 'checker'],
      ['f', 'requestTimeout', 'checker'],
    ]);
  });

  it('tells static zeros from other values', () => {
    const zeros = analyze(
      `
// Values for http server timeouts.
const ZERO = 0;
let later = 0;
later = 10;
export const values = [0, ZERO, later, 1, 0 as const];
`,
      model => {
        const statement = model.sourceCode.ast.body.at(-1);
        const declaration = statement?.type === AST_NODE_TYPES.ExportNamedDeclaration ? statement.declaration : null;
        const init = declaration?.type === AST_NODE_TYPES.VariableDeclaration ? declaration.declarations[0]?.init : null;
        return init?.type === AST_NODE_TYPES.ArrayExpression
          ? init.elements.map(element => (element ? isStaticZero(model, element) : null))
          : [];
      },
    );
    expect(zeros).toEqual([true, true, false, false, true]);
  });
});
