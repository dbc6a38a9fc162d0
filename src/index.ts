import type { TSESLint } from '@typescript-eslint/utils';

import { createRequire } from 'node:module';

import { rules } from '../rules/index.js';

const require = createRequire(import.meta.url);

/** The package manifest, found from `src/` (tests) and from `dist/src/` (the published build). */
function readManifest(): { name: string; version: string } {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const manifest = require(candidate) as { name?: unknown; version?: unknown };
      if (manifest.name === 'eslint-plugin-socket-leaks' && typeof manifest.version === 'string') {
        return { name: manifest.name, version: manifest.version };
      }
    } catch {
      // Not at this depth; try the next one.
    }
  }
  return { name: 'eslint-plugin-socket-leaks', version: '0.0.0' };
}

const { name, version } = readManifest();

/** Every file extension the configs apply to. */
export const FILES = ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}'];

type ConfigName = 'recommended' | 'strict' | 'all';

const plugin = {
  meta: { name, version, namespace: 'socket-leaks' },
  rules,
  configs: {} as Record<ConfigName, TSESLint.FlatConfig.Config>,
};

function configFor(configName: ConfigName): TSESLint.FlatConfig.Config {
  const enabled: Record<string, TSESLint.SharedConfig.RuleEntry> = {};
  for (const [id, rule] of Object.entries(rules)) {
    const level = rule.meta.docs?.recommended;
    const include =
      configName === 'all' ||
      level === 'recommended' ||
      (configName === 'strict' && level === 'strict');
    if (include) {
      enabled[`socket-leaks/${id}`] = 'error';
    }
  }
  return {
    name: `socket-leaks/${configName}`,
    files: FILES,
    plugins: { 'socket-leaks': plugin as unknown as TSESLint.FlatConfig.Plugin },
    rules: enabled,
  };
}

plugin.configs.recommended = configFor('recommended');
plugin.configs.strict = configFor('strict');
plugin.configs.all = configFor('all');

export const configs = plugin.configs;
export { rules };
export default plugin;
