import { ESLintUtils } from '@typescript-eslint/utils';

import { engineMessages, runSocketRule } from '../../src/engine/index.js';
import { destroysPartner, joinHandedOff, socketJoins } from '../../src/engine/joins.js';
import { createRuleTester } from '../rule-tester.js';

/** Reports every join: its sides, its links, and which side destroys its partner or is handed off. */
const joinsProbe = ESLintUtils.RuleCreator(name => name)({
  name: 'joins-probe',
  meta: { type: 'problem', docs: { description: 'probe' }, schema: [], messages: { ...engineMessages, fact: '{{text}}' } },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      for (const join of socketJoins(model)) {
        const links = join.links.map(link => `${link.kind}:${link.from.name}->${link.to.name}`).join(',');
        const handedOff = [join.a, join.b].filter(side => joinHandedOff(model, side)).map(side => side.name);
        const text = [
          `${join.a.name}(${join.a.origin}) ${join.b.name}(${join.b.origin})`,
          links,
          `a-destroys-b=${destroysPartner(model, join.a, join.b)}`,
          `b-destroys-a=${destroysPartner(model, join.b, join.a)}`,
          `handed-off=${handedOff.join('+') || '-'}`,
        ].join(' ');
        context.report({ node: join.links[0]!.call, messageId: 'fact', data: { text } });
      }
    });
  },
});

const ruleTester = createRuleTester();
const fact = (text: string) => ({ messageId: 'fact' as const, data: { text } });

ruleTester.run('socketJoins', joinsProbe, {
  valid: [
    // Not joins: pipeline takes ownership; files and stdout are not sockets; a socket piped into itself.
    `
import * as net from 'node:net';
import * as fs from 'node:fs';
import { pipeline } from 'node:stream';
net.createServer(client => {
  const upstream = net.connect(80);
  pipeline(client, upstream, client, () => {});
  client.pipe(fs.createWriteStream('/tmp/x'));
  client.pipe(process.stdout);
  client.pipe(client);
});
`,
  ],
  invalid: [
    {
      code: `
import * as net from 'node:net';
net.createServer(client => {
  const upstream = net.connect(80);
  client.pipe(upstream);
  upstream.pipe(client);
});
`,
      errors: [
        fact('client(accepted) upstream(created) pipe:client->upstream,pipe:upstream->client a-destroys-b=false b-destroys-a=false handed-off=-'),
      ],
    },
    {
      // a.pipe(b).pipe(a) pipes b into a; 'close' and 'error' listeners that destroy the partner.
      code: `
import * as net from 'node:net';
net.createServer(client => {
  const upstream = net.connect(80);
  client.pipe(upstream).pipe(client);
  client.on('close', () => upstream.destroy());
  upstream.on('error', function () { client.end(); });
});
`,
      errors: [
        fact('client(accepted) upstream(created) pipe:client->upstream,pipe:upstream->client a-destroys-b=true b-destroys-a=true handed-off=-'),
      ],
    },
    {
      // 'data' forwarding; a listener destroying itself is not destroying its partner; returned: handed off.
      code: `
import * as net from 'node:net';
export function relay(client: net.Socket): net.Socket {
  const upstream = net.connect(80);
  client.on('data', chunk => upstream.write(chunk));
  upstream.on('close', function () { this.destroy(); });
  return upstream;
}
`,
      errors: [fact('client(borrowed) upstream(created) forward:client->upstream a-destroys-b=false b-destroys-a=false handed-off=upstream')],
    },
    {
      // A helper in another file that ties both lifetimes; stream.finished with a callback.
      code: `
import * as net from 'node:net';
import { finished } from 'node:stream';
import { bindLifetimes } from './destroy-partner-socket-helpers.js';
net.createServer(client => {
  const a = net.connect(80);
  const b = net.connect(81);
  a.pipe(client);
  bindLifetimes(client, a);
  b.pipe(client);
  finished(b, () => client.destroy());
});
`,
      errors: [
        fact('a(created) client(accepted) pipe:a->client a-destroys-b=true b-destroys-a=true handed-off=-'),
        fact('b(created) client(accepted) pipe:b->client a-destroys-b=true b-destroys-a=false handed-off=-'),
      ],
    },
  ],
});
