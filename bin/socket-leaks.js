#!/usr/bin/env node
// The try-out CLI: `socket-leaks [options] [paths...]`. The logic lives in src/cli (compiled to dist/src/cli).

let cli;
try {
  cli = await import('../dist/src/cli/main.js');
} catch (error) {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (code === 'ERR_MODULE_NOT_FOUND' && message.includes('/dist/src/cli/main.js')) {
    process.stderr.write('socket-leaks: the build is missing (dist/); run `npm run build` in the eslint-plugin-socket-leaks checkout first\n');
  } else {
    process.stderr.write(`socket-leaks: cannot load: ${message}\n(eslint, @typescript-eslint/parser and typescript must be installed next to eslint-plugin-socket-leaks)\n`);
  }
  process.exit(2);
}

process.exitCode = await cli.main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
