import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The engine swallows unexpected failures so that a user's lint run goes on; in this project's own tests they
    // must throw instead (src/engine/failure.ts).
    // CI=true would make typescript-eslint infer single-run mode, which keeps each file's first program: the tests
    // lint many snippets under the same file name.
    env: { SOCKET_LEAKS_DEBUG: '1', TSESTREE_SINGLE_RUN: 'false' },
    exclude: ['tests/fixtures/**', '**/node_modules/**', 'dist/**'],
    // Typed linting builds TypeScript programs: slow on the first file, so generous limits.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The machines have 2 cores. Forks keep typescript-eslint's per-process project service apart per test file.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
