import type { TSESTree } from '@typescript-eslint/utils';

import * as ts from 'typescript';

import { unwrap } from './ast.js';

/** A function or class exported by one of Node's builtin modules, e.g. `{ module: 'net', name: 'connect' }`. */
export interface NodeApi {
  module: string;
  name: string;
}

const apiCache = new WeakMap<ts.Symbol, NodeApi | null>();

/**
 * Which Node builtin a callee refers to, resolved through the checker so that every import style works:
 * `import * as net`, `import { connect } from 'node:net'`, `require('net')` in JS, re-exports and aliases.
 * `null` for anything else. Never throws.
 */
export function nodeApiOfTsNode(node: ts.Node, checker: ts.TypeChecker): NodeApi | null {
  try {
    const target = ts.isPropertyAccessExpression(node) ? node.name : node;
    let symbol = checker.getSymbolAtLocation(target);
    if (!symbol) {
      return null;
    }
    if (symbol.flags & ts.SymbolFlags.Alias) {
      symbol = checker.getAliasedSymbol(symbol);
    }
    return nodeApiOfSymbol(symbol);
  } catch {
    return null;
  }
}

/** {@link nodeApiOfTsNode} for a symbol already resolved (aliases followed). Memoised per symbol. */
export function nodeApiOfSymbol(symbol: ts.Symbol): NodeApi | null {
  const cached = apiCache.get(symbol);
  if (cached !== undefined) {
    return cached;
  }
  let api: NodeApi | null = null;
  try {
    api = apiOfSymbol(symbol);
  } catch {
    api = null;
  }
  apiCache.set(symbol, api);
  return api;
}

function apiOfSymbol(symbol: ts.Symbol): NodeApi | null {
  const declaration = symbol.declarations?.[0];
  if (!declaration) {
    return null;
  }
  let current: ts.Node | undefined = declaration.parent;
  while (current && !ts.isSourceFile(current)) {
    if (ts.isModuleDeclaration(current) && ts.isStringLiteral(current.name)) {
      return { module: current.name.text.replace(/^node:/, ''), name: symbol.getName() };
    }
    current = current.parent;
  }
  return null;
}

/** {@link nodeApiOfTsNode} for an ESTree callee. */
export function nodeApiOf(
  callee: TSESTree.Node,
  map: { get(key: TSESTree.Node): ts.Node | undefined },
  checker: ts.TypeChecker,
): NodeApi | null {
  const tsNode = map.get(unwrap(callee));
  return tsNode ? nodeApiOfTsNode(tsNode, checker) : null;
}

/** Whether the API is `module.name` for one of the given pairs (`'net.connect'`, `'stream.pipeline'`). */
export function isApi(api: NodeApi | null, ...names: string[]): boolean {
  return api !== null && names.includes(`${api.module}.${api.name}`);
}
