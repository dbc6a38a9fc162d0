import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

export type FunctionNode =
  | TSESTree.ArrowFunctionExpression
  | TSESTree.FunctionDeclaration
  | TSESTree.FunctionExpression;

export function isFunctionNode(node: TSESTree.Node | null | undefined): node is FunctionNode {
  return (
    node?.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    node?.type === AST_NODE_TYPES.FunctionExpression ||
    node?.type === AST_NODE_TYPES.FunctionDeclaration
  );
}

/** Strips the wrappers that do not change which object an expression evaluates to. */
export function unwrap(node: TSESTree.Node): TSESTree.Node {
  let current = node;
  for (let i = 0; i < 64; i++) {
    switch (current.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
      case AST_NODE_TYPES.ChainExpression:
        current = current.expression;
        continue;
      default:
        return current;
    }
  }
  return current;
}

/** The parent of `node`, skipping the wrappers {@link unwrap} strips. */
export function logicalParent(node: TSESTree.Node): { parent: TSESTree.Node | undefined; child: TSESTree.Node } {
  let child = node;
  let parent = node.parent;
  for (let i = 0; i < 64 && parent; i++) {
    switch (parent.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
      case AST_NODE_TYPES.ChainExpression:
        child = parent;
        parent = parent.parent;
        continue;
      default:
        return { parent, child };
    }
  }
  return { parent, child };
}

/** `a.b` → `'b'`, `a['b']` → `'b'`, anything else → `null`. */
export function memberName(node: TSESTree.MemberExpression): string | null {
  if (!node.computed && node.property.type === AST_NODE_TYPES.Identifier) {
    return node.property.name;
  }
  if (node.property.type === AST_NODE_TYPES.Literal && typeof node.property.value === 'string') {
    return node.property.value;
  }
  return null;
}

/** The method name of `x.m(...)`, or `null`. */
export function calledMethod(call: TSESTree.CallExpression | TSESTree.NewExpression): string | null {
  const callee = unwrap(call.callee);
  return callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : null;
}

/** The receiver `x` of `x.m(...)`, unwrapped, or `null`. */
export function receiverOf(call: TSESTree.CallExpression): TSESTree.Node | null {
  const callee = unwrap(call.callee);
  return callee.type === AST_NODE_TYPES.MemberExpression ? unwrap(callee.object) : null;
}

/** The value of a string literal or a template without expressions. */
export function staticString(node: TSESTree.Node | undefined): string | null {
  if (!node) {
    return null;
  }
  if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string') {
    return node.value;
  }
  if (node.type === AST_NODE_TYPES.TemplateLiteral && node.expressions.length === 0) {
    return node.quasis[0]?.value.cooked ?? null;
  }
  return null;
}

/** A dotted name for simple callees: `console.log`, `net.connect`, `connect`; `null` otherwise. */
export function dottedName(node: TSESTree.Node): string | null {
  const current = unwrap(node);
  if (current.type === AST_NODE_TYPES.Identifier) {
    return current.name;
  }
  if (current.type === AST_NODE_TYPES.ThisExpression) {
    return 'this';
  }
  if (current.type === AST_NODE_TYPES.MemberExpression) {
    const property = memberName(current);
    const object = dottedName(current.object);
    return property !== null && object !== null ? `${object}.${property}` : null;
  }
  return null;
}

/** The nearest function that contains `node` (not `node` itself), or `null` at the top level. */
export function enclosingFunction(node: TSESTree.Node): FunctionNode | null {
  let current = node.parent;
  while (current) {
    if (isFunctionNode(current)) {
      return current;
    }
    current = current.parent;
  }
  return null;
}

/** The static value of a boolean/number property in an object literal, `undefined` if absent or not static. */
export function objectProperty(
  object: TSESTree.Node | undefined,
  key: string,
): { value: TSESTree.Node; literal: unknown } | undefined {
  if (object?.type !== AST_NODE_TYPES.ObjectExpression) {
    return undefined;
  }
  for (let i = object.properties.length - 1; i >= 0; i--) {
    const property = object.properties[i];
    if (property?.type !== AST_NODE_TYPES.Property) {
      continue;
    }
    const name =
      property.key.type === AST_NODE_TYPES.Identifier && !property.computed
        ? property.key.name
        : staticString(property.key);
    if (name === key) {
      const value = unwrap(property.value);
      const literal = value.type === AST_NODE_TYPES.Literal ? value.value : undefined;
      return { value, literal };
    }
  }
  return undefined;
}

/** Whether the object literal has a spread, so a missing key may still be set. */
export function hasSpread(object: TSESTree.Node | undefined): boolean {
  return (
    object?.type === AST_NODE_TYPES.ObjectExpression &&
    object.properties.some(property => property.type === AST_NODE_TYPES.SpreadElement)
  );
}

/** Whether `inner` lies inside `outer` (or is it). */
export function contains(outer: TSESTree.Node, inner: TSESTree.Node): boolean {
  return inner.range[0] >= outer.range[0] && inner.range[1] <= outer.range[1];
}
