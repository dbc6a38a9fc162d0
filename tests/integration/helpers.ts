import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_NODE_MODULES = path.join(REPO_ROOT, 'node_modules');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      newest = Math.max(newest, newestMtime(full));
    } else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

/**
 * The CLI and the package entry run from dist/: fail with a clear message when it is missing or older than the
 * sources (`npm test` builds first; a lone `npx vitest` does not).
 */
export function assertBuilt(): void {
  const built = path.join(REPO_ROOT, 'dist/src/index.js');
  const cli = path.join(REPO_ROOT, 'dist/src/cli/main.js');
  if (!fs.existsSync(built) || !fs.existsSync(cli)) {
    throw new Error('dist/ is missing: run `npm run build` before these tests (npm test does).');
  }
  const sources = Math.max(newestMtime(path.join(REPO_ROOT, 'src')), newestMtime(path.join(REPO_ROOT, 'rules')));
  if (fs.statSync(built).mtimeMs + 1000 < sources) {
    throw new Error('dist/ is older than src/ or rules/: run `npm run build` before these tests (npm test does).');
  }
}

/** Creates a directory under the OS temp dir with the given files (paths relative to it). */
export function makeTempDir(prefix: string, files: Record<string, string> = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `socket-leaks-${prefix}-`)));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return dir;
}

/**
 * Makes `dir/node_modules` resolve what an installed project would have: `@types` (so `"types": ["node"]` works),
 * `@typescript-eslint` (the parser), `typescript`, and `eslint-plugin-socket-leaks` itself (its package.json
 * `exports`, that is dist/).
 */
export function linkNodeModules(dir: string): void {
  const target = path.join(dir, 'node_modules');
  fs.mkdirSync(target, { recursive: true });
  for (const name of ['@types', '@typescript-eslint', 'typescript', 'typescript-eslint']) {
    fs.symlinkSync(path.join(REPO_NODE_MODULES, name), path.join(target, name), 'dir');
  }
  fs.symlinkSync(REPO_ROOT, path.join(target, 'eslint-plugin-socket-leaks'), 'dir');
}

export function removeDir(dir: string | undefined): void {
  if (dir) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every file under `dir` (relative paths, sorted), skipping node_modules. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      if (entry.name === 'node_modules') {
        continue;
      }
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else {
        out.push(path.relative(dir, full));
      }
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * The files a README section shows: fenced code blocks between the heading `### {heading}` and the next heading of
 * the same or a higher level whose first line is a comment naming the file (`// eslint.config.mjs`).
 */
export function readmeSectionFiles(heading: string): Record<string, string> {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const lines = readme.split('\n');
  const start = lines.findIndex(line => line.trim() === `### ${heading}`);
  if (start === -1) {
    throw new Error(`README.md has no "### ${heading}" section`);
  }
  const files: Record<string, string> = {};
  let fence: string[] | null = null;
  for (const line of lines.slice(start + 1)) {
    if (fence === null && /^#{1,3} /.test(line)) {
      break;
    }
    if (line.startsWith('```')) {
      if (fence === null) {
        fence = [];
      } else {
        const name = /^\/\/ ([\w.-]+)$/.exec(fence[0] ?? '')?.[1];
        if (name !== undefined) {
          files[name] = `${fence.join('\n')}\n`;
        }
        fence = null;
      }
      continue;
    }
    fence?.push(line);
  }
  return files;
}

/**
 * A project's sample sources, as a user would write them: a net server whose 'timeout' listener only logs (one
 * timeout-closes-socket report) and the same server ending or destroying the socket there (none), in TS and in JS.
 */
export const BAD_TS = `import net from 'node:net';

const server = net.createServer(socket => {
  socket.setTimeout(5_000);
  socket.on('timeout', () => console.log('idle'));
  socket.on('data', (chunk: Buffer) => socket.write(chunk));
  socket.on('error', () => {});
});
server.on('error', () => {});
server.listen(0);
`;

export const GOOD_TS = `import net from 'node:net';

const server = net.createServer(socket => {
  socket.setTimeout(5_000);
  socket.on('timeout', () => {
    console.log('idle');
    socket.destroy();
  });
  socket.on('data', (chunk: Buffer) => socket.write(chunk));
  socket.on('error', () => {});
});
server.on('error', () => {});
server.listen(0);
`;

export const BAD_JS = `'use strict';
const net = require('node:net');

const server = net.createServer(socket => {
  socket.setTimeout(5000);
  socket.on('timeout', () => console.log('idle'));
  socket.on('data', chunk => socket.write(chunk));
  socket.on('error', () => {});
});
server.on('error', () => {});
server.listen(0);
`;

export const GOOD_JS = `'use strict';
const net = require('node:net');

const server = net.createServer(socket => {
  socket.setTimeout(5000);
  socket.on('timeout', () => socket.end());
  socket.on('data', chunk => socket.write(chunk));
  socket.on('error', () => {});
});
server.on('error', () => {});
server.listen(0);
`;
