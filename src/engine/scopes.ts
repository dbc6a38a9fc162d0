import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

type Scope = TSESLint.Scope.Scope;
type Variable = TSESLint.Scope.Variable;
type Reference = TSESLint.Scope.Reference;

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

  constructor(private readonly manager: TSESLint.Scope.ScopeManager | null) {}

  /** The variable a reference resolves to; `null` for an unresolved name or an identifier that is no reference. */
  variableOf(identifier: TSESTree.Identifier): Variable | null {
    for (let scope = this.scopeAround(identifier); scope; scope = scope.upper) {
      const reference = this.referenceIn(scope, identifier);
      if (reference) {
        return reference.resolved;
      }
    }
    return null;
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
