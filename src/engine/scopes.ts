import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

type Scope = TSESLint.Scope.Scope;
type Variable = TSESLint.Scope.Variable;
type Reference = TSESLint.Scope.Reference;

/**
 * Node types the scope manager never opens a scope for (it does for functions, blocks, loops, `switch`, `catch`,
 * classes, static blocks, TS modules, enums and type constructs, and for a class field's initializer, whatever its
 * type): the walk up to the nearest scope does not ask about them.
 */
const NO_SCOPE: ReadonlySet<string> = new Set<string>([
  AST_NODE_TYPES.ArrayExpression,
  AST_NODE_TYPES.AssignmentExpression,
  AST_NODE_TYPES.AwaitExpression,
  AST_NODE_TYPES.BinaryExpression,
  AST_NODE_TYPES.CallExpression,
  AST_NODE_TYPES.ChainExpression,
  AST_NODE_TYPES.ConditionalExpression,
  AST_NODE_TYPES.ExportNamedDeclaration,
  AST_NODE_TYPES.ExpressionStatement,
  AST_NODE_TYPES.Identifier,
  AST_NODE_TYPES.IfStatement,
  AST_NODE_TYPES.Literal,
  AST_NODE_TYPES.LogicalExpression,
  AST_NODE_TYPES.MemberExpression,
  AST_NODE_TYPES.NewExpression,
  AST_NODE_TYPES.ObjectExpression,
  AST_NODE_TYPES.Property,
  AST_NODE_TYPES.ReturnStatement,
  AST_NODE_TYPES.SpreadElement,
  AST_NODE_TYPES.TemplateLiteral,
  AST_NODE_TYPES.ThrowStatement,
  AST_NODE_TYPES.TSAsExpression,
  AST_NODE_TYPES.TSNonNullExpression,
  AST_NODE_TYPES.UnaryExpression,
  AST_NODE_TYPES.VariableDeclaration,
  AST_NODE_TYPES.VariableDeclarator,
]);

/** Scopes with more references than this get an index of their own the first time one of them is asked about. */
const INDEXED_SCOPE_SIZE = 48;

/**
 * Identifier resolution for one file, on demand: the scope an identifier sits in is the first scope the scope manager
 * holds for one of its ancestors, and its reference is in that scope's list (or, for the few constructs the scope
 * manager visits from an enclosing scope, in an upper one). Only the identifiers asked about cost anything; a file's
 * thousands of other references are never indexed.
 */
export class ScopeLookup {
  private readonly byScope = new Map<Scope, Map<TSESTree.Node, Reference>>();
  /** The answers of {@link variableOf}: the same callee or receiver is asked about by several parts of the model. */
  private readonly resolved = new Map<TSESTree.Node, Variable | null>();

  constructor(private readonly manager: TSESLint.Scope.ScopeManager | null) {}

  /** The variable a reference resolves to; `null` for an unresolved name or an identifier that is no reference. */
  variableOf(identifier: TSESTree.Identifier): Variable | null {
    const known = this.resolved.get(identifier);
    if (known !== undefined) {
      return known;
    }
    let variable: Variable | null = null;
    for (let scope = this.scopeAround(identifier); scope; scope = scope.upper) {
      const reference = this.referenceIn(scope, identifier);
      if (reference) {
        variable = reference.resolved;
        break;
      }
    }
    this.resolved.set(identifier, variable);
    return variable;
  }

  /** The variable a declaring identifier (a parameter, a `const` name, an import) declares. */
  declaredVariable(identifier: TSESTree.Identifier): Variable | null {
    for (let scope = this.scopeAround(identifier); scope; scope = scope.upper) {
      const variable = scope.set.get(identifier.name);
      if (variable?.identifiers.includes(identifier)) {
        return variable;
      }
    }
    return null;
  }

  /** The innermost scope whose node is `node` or one of its ancestors. */
  private scopeAround(node: TSESTree.Node): Scope | null {
    if (!this.manager) {
      return null;
    }
    for (let current: TSESTree.Node | undefined = node; current; current = current.parent) {
      if (NO_SCOPE.has(current.type) && !isFieldInitializer(current)) {
        continue;
      }
      const scope = this.manager.acquire(current, true);
      if (scope) {
        return scope;
      }
    }
    return null;
  }

  private referenceIn(scope: Scope, identifier: TSESTree.Identifier): Reference | undefined {
    const references = scope.references;
    if (references.length <= INDEXED_SCOPE_SIZE) {
      for (const reference of references) {
        if (reference.identifier === identifier) {
          return reference;
        }
      }
      return undefined;
    }
    let index = this.byScope.get(scope);
    if (!index) {
      index = new Map();
      for (const reference of references) {
        index.set(reference.identifier, reference);
      }
      this.byScope.set(scope, index);
    }
    return index.get(identifier);
  }
}

/** A class field's initializer, which the scope manager gives a scope of its own whatever the node's type. */
function isFieldInitializer(node: TSESTree.Node): boolean {
  const parent = node.parent;
  return (
    (parent?.type === AST_NODE_TYPES.PropertyDefinition || parent?.type === AST_NODE_TYPES.AccessorProperty) &&
    parent.value === node
  );
}
