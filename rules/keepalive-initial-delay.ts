import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { KeepAliveSetting } from '../src/engine/keepalive.js';

import { createRule } from '../src/create-rule.js';
import { engineMessages, runSocketRule } from '../src/engine/index.js';
import { keepAliveSettings, MIN_KEEPALIVE_DELAY_MS } from '../src/engine/keepalive.js';

export type Options = [];
export type MessageIds = 'missingDelay' | 'shortDelay' | 'addDelay' | 'raiseDelay' | keyof typeof engineMessages;

/** The delay the suggestions propose: detection then takes about a minute and ten seconds. */
const SUGGESTED_DELAY = '60_000';

export default createRule<Options, MessageIds>({
  name: 'keepalive-initial-delay',
  meta: {
    type: 'problem',
    docs: {
      description:
        'Require TCP keep-alive to be given an initial delay of at least 1000 ms (without one, the first probe comes after the system default of 2 hours)',
      recommended: 'strict',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      ...engineMessages,
      missingDelay:
        "'{{setting}}' without an initial delay leaves the first keep-alive probe to the system default (tcp_keepalive_time, 7200 s on Linux): a peer that vanished is noticed only after about 2 h 11 min.",
      shortDelay:
        "A keep-alive initial delay of {{delay}} ms is under one second: Node passes whole seconds (0), which means the system default (tcp_keepalive_time, 7200 s on Linux), so a peer that vanished is noticed only after about 2 h 11 min.",
      addDelay: 'Add an initial delay of 60 s: {{fix}}.',
      raiseDelay: 'Use an initial delay of 60 s: {{fix}}.',
    },
  },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      for (const setting of keepAliveSettings(model)) {
        check(setting);
      }
    });

    function check(setting: KeepAliveSetting): void {
      const { delay } = setting;
      if (delay === 'unknown' || (typeof delay === 'number' && delay >= MIN_KEEPALIVE_DELAY_MS)) {
        return;
      }
      const delayNode = setting.delayNode;
      if (delayNode === null) {
        context.report({
          node: setting.form === 'option' ? propertyOf(setting.enable) : setting.call,
          messageId: 'missingDelay',
          data: { setting: describe(setting) },
          suggest: [{ messageId: 'addDelay', data: { fix: fixText(setting) }, fix: fixer => addDelay(fixer, setting) }],
        });
        return;
      }
      // A constant below 1000 ms, or an explicit `undefined`/`null`.
      context.report({
        node: delayNode,
        messageId: delay === 'absent' ? 'missingDelay' : 'shortDelay',
        data: { setting: describe(setting), delay: String(delay) },
        suggest: [
          {
            messageId: 'raiseDelay',
            data: { fix: fixText(setting) },
            fix: fixer => fixer.replaceText(delayNode, SUGGESTED_DELAY),
          },
        ],
      });
    }

    function describe(setting: KeepAliveSetting): string {
      switch (setting.form) {
        case 'method':
          return 'setKeepAlive(true)';
        case 'method-options':
          return 'setKeepAlive({ enable: true })';
        default:
          return 'keepAlive: true';
      }
    }

    /** The fixed code, for the suggestion's message. */
    function fixText(setting: KeepAliveSetting): string {
      switch (setting.form) {
        case 'method':
          return `setKeepAlive(true, ${SUGGESTED_DELAY})`;
        case 'method-options':
          return `initialDelay: ${SUGGESTED_DELAY}`;
        default:
          return `keepAliveInitialDelay: ${SUGGESTED_DELAY}`;
      }
    }

    /** Adds the missing delay: a second argument, or a property after the one that enables keep-alive. */
    function addDelay(fixer: TSESLint.RuleFixer, setting: KeepAliveSetting): TSESLint.RuleFix {
      if (setting.form === 'method') {
        return fixer.insertTextAfter(setting.enable, `, ${SUGGESTED_DELAY}`);
      }
      return fixer.insertTextAfter(propertyOf(setting.enable), `, ${fixText(setting)}`);
    }

    /** The object property a value belongs to. */
    function propertyOf(value: TSESTree.Node): TSESTree.Node {
      let current: TSESTree.Node = value;
      while (current.parent && current.type !== AST_NODE_TYPES.Property) {
        current = current.parent;
      }
      return current.type === AST_NODE_TYPES.Property ? current : value;
    }
  },
});
