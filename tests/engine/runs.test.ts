import type { TSESLint } from '@typescript-eslint/utils';

import * as parser from '@typescript-eslint/parser';
import { Linter, SourceCode } from 'eslint';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import plugin from '../../src/index.js';
import { fixturesDir } from '../rule-tester.js';

/** Leaks that several rules report in one file: no 'error' listener, a server that never reaps, a write after end. */
const SAMPLE = `
import * as net from 'node:net';

export function serve(): net.Server {
  return net.createServer(socket => {
    socket.on('data', chunk => socket.write(chunk));
  });
}

export function send(port: number): void {
  const socket = net.connect(port);
  socket.end('bye');
  socket.write('late');
}
`;

const RULE_IDS = Object.keys(plugin.rules);

type RuleModule = TSESLint.RuleModule<string, readonly unknown[]>;

/** Our rules under the name `wrapped/<id>`, each recording how many listeners its `create` returned. */
function wrappedRules(listenerCounts: Map<string, number[]>): Record<string, RuleModule> {
  return Object.fromEntries(
    RULE_IDS.map(id => {
      const rule = plugin.rules[id] as unknown as RuleModule;
      const wrapped: RuleModule = {
        ...rule,
        create(context) {
          const listeners = rule.create(context);
          const counts = listenerCounts.get(id) ?? [];
          counts.push(Object.keys(listeners).length);
          listenerCounts.set(id, counts);
          return listeners;
        },
      };
      return [id, wrapped];
    }),
  );
}

function config(ruleIds: readonly string[], rules: Record<string, RuleModule>): Linter.Config[] {
  return [
    {
      files: ['**/*.ts'],
      languageOptions: {
        parser,
        parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixturesDir },
      },
      plugins: { wrapped: { rules: rules as never } },
      rules: Object.fromEntries(ruleIds.map(id => [`wrapped/${id}`, 'error'])),
    },
  ];
}

const filename = path.join(fixturesDir, 'file.ts');

function summary(messages: readonly Linter.LintMessage[]): string[] {
  return messages.map(message => `${message.line}:${message.column} ${message.ruleId} ${message.messageId}`).sort();
}

describe('one lint run of a file', () => {
  it('gives ESLint one listener for all socket-leaks rules, and every rule still reports under its own id', () => {
    const counts = new Map<string, number[]>();
    const linter = new Linter({ configType: 'flat' });
    const together = linter.verify(SAMPLE, config(RULE_IDS, wrappedRules(counts)), { filename });
    expect(together.filter(message => message.fatal)).toEqual([]);
    // The first rule of the run holds the listener; the others only add their check to it.
    expect([...counts.values()].map(list => list[0])).toEqual(RULE_IDS.map((_, index) => (index === 0 ? 1 : 0)));

    const alone = RULE_IDS.flatMap(id => linter.verify(SAMPLE, config([id], wrappedRules(new Map())), { filename }));
    expect(summary(together)).toEqual(summary(alone));
    const reporting = new Set(together.map(message => message.ruleId));
    expect(reporting).toContain('wrapped/handle-socket-errors');
    expect(reporting).toContain('wrapped/server-reaps-idle-sockets');
    expect(reporting).toContain('wrapped/no-write-after-end');
  });

  it('reports again when the same SourceCode is verified a second time', () => {
    const linter = new Linter({ configType: 'flat' });
    const rules = wrappedRules(new Map());
    const first = linter.verify(SAMPLE, config(RULE_IDS, rules), { filename });
    const sourceCode = linter.getSourceCode();
    const second = linter.verify(sourceCode, config(RULE_IDS, rules), { filename });
    expect(first.length).toBeGreaterThan(2);
    expect(summary(second)).toEqual(summary(first));
  });

  it('runs a rule on its own when its context does not come from an ESLint run', () => {
    // Capture a typed SourceCode, then hand two rules plain contexts of their own.
    let captured: SourceCode | null = null;
    const capture: RuleModule = {
      defaultOptions: [],
      meta: { type: 'problem', messages: {}, schema: [] },
      create(context) {
        captured = context.sourceCode as unknown as SourceCode;
        return {};
      },
    };
    new Linter({ configType: 'flat' }).verify(SAMPLE, config(['capture'], { capture }), { filename });
    expect(captured).not.toBeNull();
    const reported: string[] = [];
    const contextFor = (id: string) => ({
      id,
      sourceCode: captured,
      settings: {},
      options: [],
      report(descriptor: { messageId: string }) {
        reported.push(`${id} ${descriptor.messageId}`);
      },
    });
    const ids = ['handle-socket-errors', 'server-reaps-idle-sockets'];
    const listeners = ids.map(id =>
      (plugin.rules[id] as unknown as RuleModule).create(contextFor(id) as never),
    );
    for (const listener of listeners) {
      expect(Object.keys(listener)).toEqual(['Program:exit']);
      (listener['Program:exit'] as () => void)();
    }
    expect(reported).toContain('handle-socket-errors missingErrorListener');
    expect(reported).toContain('server-reaps-idle-sockets netServerNeverReaps');
  });
});
