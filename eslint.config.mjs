// Self-lint: the plugin's own sources with typescript-eslint's type-checked rules, and the rule files with
// eslint-plugin-eslint-plugin. Lint targets (examples/, tests/fixtures/) and build output are not linted.
import eslintPlugin from 'eslint-plugin-eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  {
    name: 'self/ignores',
    ignores: ['dist/', 'coverage/', 'examples/', 'tests/fixtures/', 'docs/'],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    name: 'self/typed-linting',
    languageOptions: {
      parserOptions: {
        projectService: {
          // tsconfig.json covers the TypeScript sources; these JavaScript files get its options as a default project.
          allowDefaultProject: ['bin/*.js', '*.js', '*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    name: 'self/rules',
    files: ['rules/**/*.ts'],
    ...eslintPlugin.configs.recommended,
  },
];
