import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { FileModel, Resource } from '../src/engine/index.js';

import { createRule } from '../src/create-rule.js';
import { engineMessages, runSocketRule } from '../src/engine/index.js';
import { logicalParent, unwrap } from '../src/engine/ast.js';
import { errorCoverage, hasUncaughtExceptionHandler, needsErrorListener } from '../src/engine/errors.js';
import { insertStatementAfter, prependToBody } from '../src/fixes.js';

export type Options = [];
export type MessageIds =
  | 'missingErrorListener'
  | 'missingRequestErrorListener'
  | 'lateErrorListener'
  | 'addErrorListener'
  | keyof typeof engineMessages;

/** What the suggestion registers: a listener that only logs is enough, Node destroys the socket by itself. */
const LISTENER = "(err) => { console.error(err); }";

export default createRule<Options, MessageIds>({
  name: 'handle-socket-errors',
  meta: {
    type: 'problem',
    docs: {
      description:
        "Require an 'error' listener on every socket and client request this code owns (without one, an ECONNRESET or ECONNREFUSED crashes the process)",
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      ...engineMessages,
      missingErrorListener:
        "'{{name}}' has no 'error' listener: an ECONNRESET or ECONNREFUSED on it is thrown as an uncaught exception, the process exits with status 1 and every other connection it holds is dropped.",
      missingRequestErrorListener:
        "The request '{{name}}' has no 'error' listener: a refused, reset or timed-out connection is thrown as an uncaught exception, the process exits with status 1 and every other connection it holds is dropped.",
      lateErrorListener:
        "'{{name}}' gets its 'error' listener only once connected: a failed connect (ECONNREFUSED, ETIMEDOUT, ENOTFOUND) is emitted before that with no listener, so the process exits with status 1.",
      addErrorListener: "Add '{{name}}.on('error', …)' where it is created.",
    },
  },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      if (hasUncaughtExceptionHandler(model)) {
        // The process no longer exits on an unhandled 'error': nothing here would crash it.
        return;
      }
      for (const resource of model.allResources()) {
        if (needsErrorListener(model, resource)) {
          check(model, resource);
        }
      }
    });

    function check(model: FileModel, resource: Resource): void {
      const coverage = errorCoverage(model, resource);
      if (coverage.kind === 'handled' || coverage.kind === 'escapes') {
        return;
      }
      const name = displayName(resource);
      const messageId =
        coverage.kind === 'late'
          ? 'lateErrorListener'
          : resource.kind === 'client-request'
            ? 'missingRequestErrorListener'
            : 'missingErrorListener';
      const fix = suggestion(resource);
      context.report({
        node: resource.node,
        messageId,
        data: { name },
        suggest: fix
          ? [{ messageId: 'addErrorListener', data: { name: fix.name }, fix: fix.apply }]
          : [],
      });
    }

    /** The variable or field, or for an unnamed value its creation (`http.get(…)`). */
    function displayName(resource: Resource): string {
      const node = resource.node;
      if (resource.variables.size > 0 || resource.field !== null || node.type === AST_NODE_TYPES.Identifier) {
        return resource.name;
      }
      if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) {
        const callee = context.sourceCode.getText(node.callee);
        return `${node.type === AST_NODE_TYPES.NewExpression ? 'new ' : ''}${callee.length <= 40 ? callee : 'it'}(…)`;
      }
      return resource.name;
    }

    /**
     * Where the listener goes: after the statement that creates and names the value, chained onto an unnamed one
     * (`http.get(url, cb).on('error', …)`), or first in the handler that receives it.
     */
    function suggestion(
      resource: Resource,
    ): { name: string; apply: (fixer: TSESLint.RuleFixer) => TSESLint.RuleFix } | null {
      const node = resource.node;
      if (node.type === AST_NODE_TYPES.Identifier) {
        const handler = resource.handler;
        if (!handler || !handler.params.includes(node)) {
          return null;
        }
        const statement = `${node.name}.on('error', ${LISTENER});`;
        return { name: node.name, apply: fixer => prependToBody(fixer, context.sourceCode, handler.body, statement) };
      }
      // The outermost expression that is still this value (`net.connect(…).on('data', …)` chains).
      let outer: TSESTree.Node = node;
      for (;;) {
        const { parent, child } = logicalParent(outer);
        const call = parent?.parent;
        if (
          parent?.type === AST_NODE_TYPES.MemberExpression &&
          parent.object === child &&
          call?.type === AST_NODE_TYPES.CallExpression &&
          call.callee === parent &&
          resource.refs.has(call)
        ) {
          outer = call;
          continue;
        }
        break;
      }
      const { parent, child } = logicalParent(outer);
      if (parent?.type === AST_NODE_TYPES.ExpressionStatement && unwrap(child) === outer) {
        return {
          name: displayName(resource),
          apply: fixer => fixer.insertTextAfter(child, `.on('error', ${LISTENER})`),
        };
      }
      const statement = statementOf(parent, child);
      if (!statement || !/^(?:this\.)?[\w$]+$/.test(resource.name)) {
        return null;
      }
      const text = `${resource.name}.on('error', ${LISTENER});`;
      return { name: resource.name, apply: fixer => insertStatementAfter(fixer, context.sourceCode, statement, text) };
    }

    /** `const x = <value>;` or `x = <value>;` / `this.x = <value>;` in a statement list. */
    function statementOf(parent: TSESTree.Node | undefined, child: TSESTree.Node): TSESTree.Statement | null {
      let statement: TSESTree.Node | undefined;
      if (
        parent?.type === AST_NODE_TYPES.VariableDeclarator &&
        parent.init === child &&
        parent.id.type === AST_NODE_TYPES.Identifier &&
        parent.parent.type === AST_NODE_TYPES.VariableDeclaration &&
        parent.parent.declarations.length === 1
      ) {
        statement = parent.parent;
      } else if (
        parent?.type === AST_NODE_TYPES.AssignmentExpression &&
        parent.right === child &&
        parent.parent.type === AST_NODE_TYPES.ExpressionStatement
      ) {
        statement = parent.parent;
      }
      const list = statement?.parent;
      if (
        statement &&
        (list?.type === AST_NODE_TYPES.BlockStatement ||
          list?.type === AST_NODE_TYPES.Program ||
          list?.type === AST_NODE_TYPES.StaticBlock ||
          list?.type === AST_NODE_TYPES.SwitchCase)
      ) {
        return statement as TSESTree.Statement;
      }
      return null;
    }

  },
});
