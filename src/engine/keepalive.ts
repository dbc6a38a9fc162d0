import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';

import type { FileModel } from './model.js';

import { calledMethod, hasSpread, objectProperty, receiverOf, unwrap } from './ast.js';
import { swallow } from './failure.js';

/**
 * Where code turns TCP keep-alive on, and with which initial delay. Node hands the delay to libuv in whole seconds
 * (`~~(ms / 1000)`); libuv sets `TCP_KEEPIDLE` (and a 1 s interval, 10 probes) only for a delay of at least 1 s, so
 * anything below 1000 ms, and no delay at all, leaves the first probe to the system's `tcp_keepalive_time`.
 */

/** The smallest initial delay (ms) that libuv applies; below it the system default idle time is used. */
export const MIN_KEEPALIVE_DELAY_MS = 1000;

/** The `net`/`tls`/`http`/`https` factories and constructors whose options take `keepAlive`/`keepAliveInitialDelay`. */
const KEEPALIVE_OPTION_APIS: ReadonlySet<string> = new Set([
  'net.connect',
  'net.createConnection',
  'net.Socket',
  'net.createServer',
  'net.Server',
  'tls.createServer',
  'tls.Server',
  'http.createServer',
  'http.Server',
  'https.createServer',
  'https.Server',
]);

/** A constant delay in ms, `'absent'` (not given, `undefined` or `null`), or `'unknown'` (not a constant). */
export type KeepAliveDelay = number | 'absent' | 'unknown';

export interface KeepAliveSetting {
  /**
   * - `'method'`: `socket.setKeepAlive(true[, delay])`;
   * - `'method-options'`: `socket.setKeepAlive({ enable: true[, initialDelay] })` (@types/node 24.19+);
   * - `'option'`: `{ keepAlive: true[, keepAliveInitialDelay] }` given to a factory or constructor.
   */
  readonly form: 'method' | 'method-options' | 'option';
  readonly call: TSESTree.CallExpression | TSESTree.NewExpression;
  /** `'socket.setKeepAlive'`, or the API given the options (`'net.createServer'`, …). */
  readonly api: string;
  /** The node that turns keep-alive on: the `enable` argument or the `keepAlive`/`enable` property. */
  readonly enable: TSESTree.Node;
  /** The options object literal (`'method-options'` and `'option'`). */
  readonly options: TSESTree.ObjectExpression | null;
  /** The delay argument or property value, when present. */
  readonly delayNode: TSESTree.Node | null;
  readonly delay: KeepAliveDelay;
}

/**
 * Every place in the file that turns keep-alive on (with a constant `true`) for a TCP socket or a server's accepted
 * sockets, by type: `setKeepAlive` calls on a `net.Socket` (`tty` streams excluded) and options of the APIs above.
 * `http.Agent({ keepAlive: true })` is not one of them: that is HTTP keep-alive, and the agent passes its own
 * `keepAliveMsecs` (1000 by default) to `setKeepAlive`.
 */
export function keepAliveSettings(model: FileModel): KeepAliveSetting[] {
  const found: KeepAliveSetting[] = [];
  for (const call of model.paths.calls) {
    try {
      const setting =
        call.type === AST_NODE_TYPES.CallExpression && calledMethod(call) === 'setKeepAlive'
          ? methodSetting(model, call)
          : optionSetting(model, call);
      if (setting) {
        found.push(setting);
      }
    } catch (error) {
      swallow(error);
    }
  }
  return found;
}

function methodSetting(model: FileModel, call: TSESTree.CallExpression): KeepAliveSetting | null {
  const receiver = receiverOf(call);
  const api = model.apiOf(call);
  if (!receiver || api?.module !== 'net' || api.name !== 'setKeepAlive' || model.kindOf(receiver) !== 'socket') {
    return null;
  }
  const first = call.arguments[0];
  if (!first) {
    return null;
  }
  const options = unwrap(first);
  if (options.type === AST_NODE_TYPES.ObjectExpression) {
    const enable = objectProperty(options, 'enable');
    if (!enable || constant(model, enable.value) !== true) {
      return null;
    }
    const delay = objectProperty(options, 'initialDelay');
    if (!delay && hasSpread(options)) {
      return null;
    }
    return {
      form: 'method-options',
      call,
      api: 'socket.setKeepAlive',
      enable: enable.value,
      options,
      delayNode: delay?.value ?? null,
      delay: delay ? delayOf(model, delay.value) : 'absent',
    };
  }
  if (constant(model, first) !== true) {
    return null;
  }
  const delayNode = call.arguments[1] ?? null;
  return {
    form: 'method',
    call,
    api: 'socket.setKeepAlive',
    enable: first,
    options: null,
    delayNode,
    delay: delayNode ? delayOf(model, delayNode) : 'absent',
  };
}

function optionSetting(model: FileModel, call: TSESTree.CallExpression | TSESTree.NewExpression): KeepAliveSetting | null {
  // Cheap filter first: an object literal (or a name) with a `keepAlive` key somewhere in the arguments.
  const options = call.arguments.map(argument => optionsObject(model, argument)).find(object => object !== null);
  if (!options) {
    return null;
  }
  const enable = objectProperty(options, 'keepAlive');
  if (!enable || constant(model, enable.value) !== true) {
    return null;
  }
  const api = model.apiOf(call);
  const name = api ? `${api.module}.${api.name}` : null;
  if (name === null || !KEEPALIVE_OPTION_APIS.has(name)) {
    return null;
  }
  const delay = objectProperty(options, 'keepAliveInitialDelay');
  if (!delay && hasSpread(options)) {
    return null;
  }
  return {
    form: 'option',
    call,
    api: name,
    enable: enable.value,
    options,
    delayNode: delay?.value ?? null,
    delay: delay ? delayOf(model, delay.value) : 'absent',
  };
}

/**
 * The object literal an options argument is: inline, or a `const` initialised with one whose every use is as an
 * argument (so no later `opts.keepAliveInitialDelay = …` can change it).
 */
function optionsObject(model: FileModel, argument: TSESTree.Node): TSESTree.ObjectExpression | null {
  const node = unwrap(argument);
  if (node.type === AST_NODE_TYPES.ObjectExpression) {
    return objectProperty(node, 'keepAlive') ? node : null;
  }
  if (node.type !== AST_NODE_TYPES.Identifier) {
    return null;
  }
  const variable = model.variableOf(node);
  const definition = variable?.defs[0];
  if (
    !variable ||
    variable.defs.length !== 1 ||
    definition?.node.type !== AST_NODE_TYPES.VariableDeclarator ||
    definition.parent?.type !== AST_NODE_TYPES.VariableDeclaration ||
    definition.parent.kind !== 'const' ||
    !definition.node.init
  ) {
    return null;
  }
  const init = unwrap(definition.node.init);
  if (init.type !== AST_NODE_TYPES.ObjectExpression || !objectProperty(init, 'keepAlive')) {
    return null;
  }
  const onlyArguments = variable.references.every(reference => {
    if (reference.init) {
      return true;
    }
    const parent = reference.identifier.parent;
    return (
      (parent?.type === AST_NODE_TYPES.CallExpression || parent?.type === AST_NODE_TYPES.NewExpression) &&
      parent.arguments.includes(reference.identifier as TSESTree.CallExpressionArgument)
    );
  });
  return onlyArguments ? init : null;
}

function constant(model: FileModel, node: TSESTree.Node): unknown {
  const result = ASTUtils.getStaticValue(node, model.sourceCode.getScope(node));
  return result === null ? UNKNOWN : result.value;
}

const UNKNOWN = Symbol('unknown');

function delayOf(model: FileModel, node: TSESTree.Node): KeepAliveDelay {
  const value = constant(model, node);
  if (value === undefined || value === null) {
    return 'absent';
  }
  return typeof value === 'number' ? value : 'unknown';
}
