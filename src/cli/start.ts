import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { main } from './main.js';

/**
 * `npm start` in a clone of this repository: the CLI on the bundled `examples/`, or on the paths given after `--`.
 * (From dist/src/cli/start.js, the repository root is three directories up.)
 */
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const argv = process.argv.slice(2);
const hasPath = argv.some((arg, index) => !arg.startsWith('-') && !['-f', '--format', '-c', '--config'].includes(argv[index - 1] ?? ''));
const args = hasPath || argv.some(arg => ['-h', '--help', '-v', '--version'].includes(arg)) ? argv : [...argv, path.join(repositoryRoot, 'examples')];

process.exitCode = await main(args, { stdout: process.stdout, stderr: process.stderr });
