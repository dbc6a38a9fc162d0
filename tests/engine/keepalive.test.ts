import { describe, expect, it } from 'vitest';

import type { FileModel } from '../../src/engine/index.js';

import { keepAliveSettings } from '../../src/engine/keepalive.js';
import { jsFile } from '../rule-tester.js';
import { analyze } from './analyze.js';

function settings(code: string, filename?: string) {
  return analyze(
    code,
    (model: FileModel) =>
      keepAliveSettings(model).map(setting => ({
        form: setting.form,
        api: setting.api,
        delay: setting.delay,
        line: setting.call.loc.start.line,
      })),
    filename ? { filename } : {},
  );
}

describe('keepAliveSettings', () => {
  it('reads setKeepAlive on sockets by type, with constant delays', () => {
    expect(
      settings(`
import * as net from 'node:net';
import * as tty from 'node:tty';
const s = net.connect(80);
const DELAY = 2 * 1000;
declare const unknownDelay: number;
s.setKeepAlive(true);
s.setKeepAlive(true, 500);
s.setKeepAlive(true, DELAY);
s.setKeepAlive(true, unknownDelay);
s.setKeepAlive(true, undefined);
s.setKeepAlive(false);
s.setKeepAlive({ enable: true });
s.setKeepAlive({ enable: true, initialDelay: 3000 });
new tty.ReadStream(0).setKeepAlive(true);
`),
    ).toEqual([
      { form: 'method', api: 'socket.setKeepAlive', delay: 'absent', line: 7 },
      { form: 'method', api: 'socket.setKeepAlive', delay: 500, line: 8 },
      { form: 'method', api: 'socket.setKeepAlive', delay: 2000, line: 9 },
      { form: 'method', api: 'socket.setKeepAlive', delay: 'unknown', line: 10 },
      { form: 'method', api: 'socket.setKeepAlive', delay: 'absent', line: 11 },
      { form: 'method-options', api: 'socket.setKeepAlive', delay: 'absent', line: 13 },
      { form: 'method-options', api: 'socket.setKeepAlive', delay: 3000, line: 14 },
    ]);
  });

  it('reads keepAlive options of the net/tls/http factories and constructors, not of http.Agent', () => {
    expect(
      settings(`
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as http from 'node:http';
declare const base: net.ServerOpts;
net.createServer({ keepAlive: true });
net.connect({ port: 1, keepAlive: true, keepAliveInitialDelay: 100 });
new net.Socket({ keepAlive: true, keepAliveInitialDelay: 5000 });
tls.createServer({ keepAlive: true });
http.createServer({ keepAlive: true });
new http.Agent({ keepAlive: true });
net.createServer({ ...base, keepAlive: true });
const opts = { keepAlive: true };
net.createServer(opts);
`),
    ).toEqual([
      { form: 'option', api: 'net.createServer', delay: 'absent', line: 6 },
      { form: 'option', api: 'net.connect', delay: 100, line: 7 },
      { form: 'option', api: 'net.Socket', delay: 5000, line: 8 },
      { form: 'option', api: 'tls.createServer', delay: 'absent', line: 9 },
      { form: 'option', api: 'http.createServer', delay: 'absent', line: 10 },
      { form: 'option', api: 'net.createServer', delay: 'absent', line: 14 },
    ]);
  });

  it('works in JS with require()', () => {
    expect(
      settings(
        `
const net = require('node:net');
net.connect(80).setKeepAlive(true);
net.createServer({ keepAlive: true, keepAliveInitialDelay: 0 });
`,
        jsFile,
      ),
    ).toEqual([
      { form: 'method', api: 'socket.setKeepAlive', delay: 'absent', line: 3 },
      { form: 'option', api: 'net.createServer', delay: 0, line: 4 },
    ]);
  });
});
