// The speed benchmark: ESLint `stats: true` (the data behind `--stats`) on generated corpora of about 1, 10 and 100
// kLOC, with typed linting, the plugin's `recommended` rules and typescript-eslint's no-floating-promises enabled
// together, and a warm relint of one changed file through a long-lived ESLint instance (as an editor does).
//
//   npm run bench [-- --sizes 1000,10000,100000] [--seed 1] [--repo /work/repos/websockets+ws]... [--json out.json]
//                    [--alone] [--runs 3] [--no-warmup] [--no-relint] [--profile 10000 [--profile-side both|ours]]
//
// Each measurement runs in a fresh Node.js process. Before the measured run the process lints a small corpus of its
// own (JIT warm-up), unless --no-warmup. --runs N measures each row N times and keeps the median run by share. --alone also measures each side (our rules, no-floating-promises) in a run
// of its own, which charges the type checker's one-time work to each side in turn. --profile <LOC> adds a CPU profile
// of our rules (with no-floating-promises, or alone with --profile-side ours) on a corpus of that size, attributed to the plugin's files and functions.
import type { Linter } from 'eslint';

import { clearCaches } from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import ts from 'typescript';
import tseslint from 'typescript-eslint';

import type { RuleTiming } from '../scripts/lint-repo.js';

import { configs, FILES } from '../src/index.js';
import { createDefaultProject, createTypedLintConfig, findNodeTypes } from '../src/cli/typed-config.js';
import { lintRepo, socketLeaksTime, sumStats } from '../scripts/lint-repo.js';
import { generateCorpus } from './generate.js';

const NFP = '@typescript-eslint/no-floating-promises';
const require = createRequire(import.meta.url);

/** Which rules a measured run enables. */
type Side = 'both' | 'ours' | 'nfp';

export interface Measurement {
  label: string;
  side: Side;
  files: number;
  loc: number;
  wallMs: number;
  parseMs: number;
  oursMs: number;
  nfpMs: number;
  rules: Record<string, number>;
  findings: number;
  /** With --runs N > 1: how many runs, and the lowest and highest ours / wall among them (this row is the median run). */
  runs?: number;
  shareRange?: [number, number];
}

export interface Relint {
  files: number;
  loc: number;
  initialWallMs: number;
  /** One entry per edit: the changed file linted again through the same instance. */
  edits: { file: string; how: 'lintText' | 'lintFiles'; wallMs: number; parseMs: number; oursMs: number; nfpMs: number }[];
}

function nfpConfig(): Linter.Config {
  return {
    name: 'bench/no-floating-promises',
    files: FILES,
    plugins: { '@typescript-eslint': tseslint.plugin as unknown as NonNullable<Linter.Config['plugins']>[string] },
    rules: { [NFP]: 'error' },
  };
}

function corpusConfig(dir: string, side: Side): { config: Linter.Config[]; dispose: () => void } {
  const nodeTypes = findNodeTypes(dir);
  if (!nodeTypes) {
    throw new Error('@types/node is not installed');
  }
  const defaultProject = createDefaultProject(nodeTypes);
  const base = createTypedLintConfig(dir, { config: 'recommended', defaultProject });
  const withoutOurs = base.map(entry =>
    side === 'nfp' && entry.rules ? { ...entry, rules: Object.fromEntries(Object.keys(entry.rules).map(id => [id, 'off' as const])) } : entry,
  );
  return { config: side === 'ours' ? withoutOurs : [...withoutOurs, nfpConfig()], dispose: () => defaultProject.dispose() };
}

function measurementOf(label: string, side: Side, results: readonly ESLint.LintResult[], loc: number, wallMs: number): Measurement {
  const timing: RuleTiming = sumStats(results);
  return {
    label,
    side,
    files: results.length,
    loc,
    wallMs,
    parseMs: timing.parseMs,
    oursMs: socketLeaksTime(timing),
    nfpMs: timing.rules[NFP] ?? 0,
    rules: timing.rules,
    findings: results.reduce((sum, result) => sum + result.messages.filter(message => message.ruleId?.startsWith('socket-leaks/')).length, 0),
  };
}

async function lintCorpus(dir: string, side: Side): Promise<{ results: ESLint.LintResult[]; wallMs: number }> {
  const { config, dispose } = corpusConfig(dir, side);
  try {
    clearCaches();
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: config, stats: true });
    const started = performance.now();
    const results = await eslint.lintFiles(['src']);
    return { results, wallMs: performance.now() - started };
  } finally {
    clearCaches();
    dispose();
  }
}

function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

async function warmUp(seed: number): Promise<void> {
  const corpus = generateCorpus({ loc: 400, seed: seed + 1000 });
  try {
    await lintCorpus(corpus.dir, 'both');
  } finally {
    removeDir(corpus.dir);
  }
  (globalThis as { gc?: () => void }).gc?.();
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes: one measurement each
// ---------------------------------------------------------------------------------------------------------------

async function childCorpus(loc: number, seed: number, side: Side, warm: boolean): Promise<Measurement> {
  process.env.TSESTREE_SINGLE_RUN = 'true';
  if (warm) {
    await warmUp(seed);
  }
  const corpus = generateCorpus({ loc, seed });
  try {
    const { results, wallMs } = await lintCorpus(corpus.dir, side);
    return measurementOf(`${Math.round(loc / 1000)}k`, side, results, corpus.loc, wallMs);
  } finally {
    removeDir(corpus.dir);
  }
}

async function childRepo(dir: string, seed: number, side: Side, warm: boolean): Promise<Measurement> {
  if (warm) {
    process.env.TSESTREE_SINGLE_RUN = 'true';
    await warmUp(seed);
  }
  const oursOff: Linter.Config = {
    files: FILES,
    rules: Object.fromEntries(Object.keys(configs.recommended.rules ?? {}).map(id => [id, 'off' as const])),
  };
  const report = await lintRepo(dir, {
    config: 'recommended',
    extraConfig: side === 'ours' ? [] : side === 'nfp' ? [nfpConfig(), oursOff] : [nfpConfig()],
    extraRules: side === 'ours' ? [] : [NFP],
  });
  if (report.error !== undefined) {
    throw new Error(report.error);
  }
  return {
    label: report.repo,
    side,
    files: report.fileCount,
    loc: report.loc,
    wallMs: report.timing.wallMs,
    parseMs: report.timing.parseMs,
    oursMs: report.timing.socketLeaksMs,
    nfpMs: report.timing.rules[NFP] ?? 0,
    rules: report.timing.rules,
    findings: report.findings.length,
  };
}

/** Edits that keep the file valid: a new socket-handling function, a changed constant, a removed close. */
function edit(text: string, n: number): string {
  switch (n % 3) {
    case 0:
      return `${text}
export function relint${n}(socket: import('node:net').Socket): void {
  socket.setTimeout(${1000 + n});
  socket.on('timeout', () => socket.destroy());
  socket.on('error', () => socket.destroy());
}
`;
    case 1:
      return text.replace(/(\d+)_000/, (_match, digits: string) => `${Number(digits) + 1}_000`);
    default:
      return `// edited ${n}\n${text}`;
  }
}

async function childRelint(seed: number, warm: boolean): Promise<Relint> {
  // An editor session: typescript-eslint keeps its project service up to date instead of linting each file once.
  process.env.TSESTREE_SINGLE_RUN = 'false';
  if (warm) {
    await warmUp(seed);
  }
  process.env.TSESTREE_SINGLE_RUN = 'false';
  const corpus = generateCorpus({ loc: 1000, seed });
  const { config, dispose } = corpusConfig(corpus.dir, 'both');
  try {
    clearCaches();
    const eslint = new ESLint({ cwd: corpus.dir, overrideConfigFile: true, overrideConfig: config, stats: true });
    const started = performance.now();
    await eslint.lintFiles(['src']);
    const initialWallMs = performance.now() - started;
    const targets = corpus.files.filter(file => file.endsWith('.ts') && !file.includes(`${path.sep}helpers${path.sep}`));
    const edits: Relint['edits'] = [];
    for (let n = 0; n < 6; n++) {
      const file = targets[n % targets.length] ?? corpus.files[0] ?? '';
      const text = edit(fs.readFileSync(file, 'utf8'), n);
      fs.writeFileSync(file, text);
      const how = n % 2 === 0 ? 'lintText' : 'lintFiles';
      const t0 = performance.now();
      const results = how === 'lintText' ? await eslint.lintText(text, { filePath: file }) : await eslint.lintFiles([file]);
      const wallMs = performance.now() - t0;
      const m = measurementOf('relint', 'both', results, 0, wallMs);
      edits.push({ file: path.relative(corpus.dir, file), how, wallMs, parseMs: m.parseMs, oursMs: m.oursMs, nfpMs: m.nfpMs });
    }
    return { files: corpus.files.length, loc: corpus.loc, initialWallMs, edits };
  } finally {
    clearCaches();
    dispose();
    removeDir(corpus.dir);
  }
}


// ---------------------------------------------------------------------------------------------------------------
// CPU profile: where the plugin's time goes
// ---------------------------------------------------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The plugin's own code in a profile: this checkout's build of src/ and rules/. */
const PLUGIN_ROOT = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')).href;
const PLUGIN_CODE = new RegExp(`^${PLUGIN_ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/dist/(?:src|rules)/`);

/**
 * Attributes every sample to the innermost plugin function on its stack (so TypeScript checker work that a plugin
 * function asks for counts for that function), and sums the time per function and per file.
 */
export function attributeProfile(profile: CpuProfile): {
  totalMs: number;
  pluginMs: number;
  byFunction: [string, number][];
  byFile: [string, number][];
  /** For each of the five functions with the most time: its time split by the plugin function that called it. */
  hottestCallers: [string, [string, number][]][];
} {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) {
      parent.set(child, node.id);
    }
  }
  const owner = new Map<number, ProfileNode | null>();
  const ownerOf = (id: number): ProfileNode | null => {
    const known = owner.get(id);
    if (known !== undefined) {
      return known;
    }
    const node = byId.get(id);
    let found: ProfileNode | null = null;
    if (node && PLUGIN_CODE.test(node.callFrame.url)) {
      found = node;
    } else {
      const up = parent.get(id);
      found = up === undefined ? null : ownerOf(up);
    }
    owner.set(id, found);
    return found;
  };
  const nameOf = (node: ProfileNode): string =>
    `${node.callFrame.functionName || '(anonymous)'} (${node.callFrame.url.replace(/^.*\/dist\//, '')}:${node.callFrame.lineNumber + 1})`;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const owners: [ProfileNode, number][] = [];
  let totalMs = 0;
  let pluginMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    totalMs += ms;
    const node = ownerOf(id);
    if (!node) {
      return;
    }
    pluginMs += ms;
    owners.push([node, ms]);
    const file = node.callFrame.url.replace(/^.*\/dist\//, '');
    byFunction.set(nameOf(node), (byFunction.get(nameOf(node)) ?? 0) + ms);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
  });
  const sorted = (map: Map<string, number>): [string, number][] => [...map].sort(([, a], [, b]) => b - a);
  const functions = sorted(byFunction);
  const hottestCallers = functions.slice(0, 5).map(([hottest]): [string, [string, number][]] => {
    const callers = new Map<string, number>();
    for (const [node, ms] of owners) {
      if (nameOf(node) !== hottest) {
        continue;
      }
      const up = parent.get(node.id);
      const caller = up === undefined ? null : ownerOf(up);
      const name = caller ? nameOf(caller) : '(outside the plugin)';
      callers.set(name, (callers.get(name) ?? 0) + ms);
    }
    return [hottest, sorted(callers)];
  });
  return { totalMs, pluginMs, byFunction: functions, byFile: sorted(byFile), hottestCallers };
}

async function profileCorpus(size: number, seed: string, warm: string, side: Side): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-leaks-profile-'));
  try {
    await inChild<Measurement>(['corpus', String(size), seed, side, warm], ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const file = fs.readdirSync(dir).find(name => name.endsWith('.cpuprofile'));
    if (!file) {
      return 'no CPU profile written';
    }
    const result = attributeProfile(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile);
    const lines = [
      `CPU profile of the ${size} LOC corpus, ${side === 'both' ? 'our rules with no-floating-promises' : 'our rules only'} (sampled; the warm-up and corpus generation included in the total): ${(result.totalMs / 1000).toFixed(1)} s in the process, ${(result.pluginMs / 1000).toFixed(1)} s under plugin code (TypeScript checker work a plugin function asks for is counted for that function).`,
      '',
      '| plugin file | ms |',
      '| :-- | --: |',
      ...result.byFile.slice(0, 15).map(([name, ms]) => `| ${name} | ${ms.toFixed(0)} |`),
      '',
      '| plugin function (innermost on the stack) | ms |',
      '| :-- | --: |',
      ...result.byFunction.slice(0, 25).map(([name, ms]) => `| ${name.replace(/\|/g, '\\|')} | ${ms.toFixed(0)} |`),
      ...result.hottestCallers.flatMap(([callee, callers]) => [
        '',
        `| callers of ${callee} | ms |`,
        '| :-- | --: |',
        ...callers.slice(0, 8).map(([name, ms]) => `| ${name.replace(/\|/g, '\\|')} | ${ms.toFixed(0)} |`),
      ]),
    ];
    return lines.join('\n');
  } finally {
    removeDir(dir);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Orchestration
// ---------------------------------------------------------------------------------------------------------------

const execFileAsync = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);

async function inChild<T>(args: string[], nodeArgs: string[] = []): Promise<T> {
  const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', ...nodeArgs, SELF, '--child', ...args], {
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, SOCKET_LEAKS_DEBUG: '' },
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Runs a measurement `runs` times (each in a fresh process, one after the other) and keeps the run whose share of the
 * wall time is the median, with the range of the shares: on a shared machine one run moves by a third.
 */
async function medianOf(runs: number, measure: () => Promise<Measurement>): Promise<Measurement> {
  const all: Measurement[] = [];
  for (let run = 0; run < runs; run++) {
    all.push(await measure());
  }
  const share = (row: Measurement): number => (row.side === 'nfp' ? row.nfpMs : row.oursMs) / row.wallMs;
  all.sort((a, b) => share(a) - share(b));
  const median = all[Math.floor((all.length - 1) / 2)]!;
  return runs === 1 ? median : { ...median, runs, shareRange: [share(all[0]!), share(all[all.length - 1]!)] };
}

const ms = (value: number): string => value.toFixed(0);
const pct = (value: number): string => `${(100 * value).toFixed(1)} %`;

function table(rows: readonly Measurement[]): string {
  const lines = [
    '| corpus | rules | files | LOC | wall (s) | parse (s) | socket-leaks (ms) | no-floating-promises (ms) | ours / nfp | ours / wall | ours ms per kLOC | socket-leaks reports |',
    '| :-- | :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${row.side} | ${row.files} | ${row.loc} | ${(row.wallMs / 1000).toFixed(1)} | ${(row.parseMs / 1000).toFixed(1)} | ${row.side === 'nfp' ? '–' : ms(row.oursMs)} | ${row.side === 'ours' ? '–' : ms(row.nfpMs)} | ${row.side === 'both' ? `${(row.oursMs / Math.max(row.nfpMs, 0.001)).toFixed(2)}×` : '–'} | ${row.side === 'nfp' ? '–' : pct(row.oursMs / row.wallMs)}${row.shareRange && row.side !== 'nfp' ? ` (${pct(row.shareRange[0])}–${pct(row.shareRange[1])} over ${row.runs} runs)` : ''} | ${row.side === 'nfp' ? '–' : (row.oursMs / (row.loc / 1000)).toFixed(1)} | ${row.findings} |`,
    );
  }
  return lines.join('\n');
}

function perRuleTable(rows: readonly Measurement[]): string {
  const ids = [...new Set(rows.flatMap(row => Object.keys(row.rules)))].sort();
  const lines = [`| rule | ${rows.map(row => row.label).join(' | ')} |`, `| :-- | ${rows.map(() => '--:').join(' | ')} |`];
  for (const id of ids) {
    lines.push(`| ${id} | ${rows.map(row => (row.rules[id] === undefined ? '–' : (row.rules[id] ?? 0).toFixed(1))).join(' | ')} |`);
  }
  return lines.join('\n');
}

async function orchestrate(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      sizes: { type: 'string' },
      seed: { type: 'string' },
      repo: { type: 'string', multiple: true },
      json: { type: 'string' },
      alone: { type: 'boolean' },
      'no-warmup': { type: 'boolean' },
      'no-relint': { type: 'boolean' },
      runs: { type: 'string' },
      profile: { type: 'string' },
      'profile-side': { type: 'string', default: 'both' },
    },
  });
  const sizes = (values.sizes ?? '1000,10000,100000').split(',').map(Number).filter(size => size > 0);
  const seed = String(Number(values.seed ?? '1'));
  const warm = values['no-warmup'] === true ? 'cold' : 'warm';
  const sides: Side[] = values.alone === true ? ['both', 'ours', 'nfp'] : ['both'];
  const runs = Math.max(1, Math.floor(Number(values.runs ?? '1')) || 1);
  const log = (text: string): void => {
    process.stderr.write(`${text}\n`);
  };

  const started = performance.now();
  const corpora: Measurement[] = [];
  for (const size of sizes) {
    for (const side of sides) {
      log(`bench: ${size} LOC, ${side} ...`);
      const m = await medianOf(runs, () => inChild<Measurement>(['corpus', String(size), seed, side, warm]));
      log(`  wall ${(m.wallMs / 1000).toFixed(1)} s, socket-leaks ${ms(m.oursMs)} ms, no-floating-promises ${ms(m.nfpMs)} ms`);
      corpora.push(m);
    }
  }
  const repos: Measurement[] = [];
  for (const repo of values.repo ?? []) {
    for (const side of sides) {
      log(`bench: ${repo}, ${side} ...`);
      repos.push(await medianOf(runs, () => inChild<Measurement>(['repo', path.resolve(repo), seed, side, warm])));
    }
  }
  let relint: Relint | undefined;
  if (values['no-relint'] !== true) {
    log('bench: warm relint ...');
    relint = await inChild<Relint>(['relint', '0', seed, 'both', warm]);
  }

  const both = corpora.filter(row => row.side === 'both');
  const perKloc = (row: Measurement): number => row.oursMs / (row.loc / 1000);
  const smallest = both[0];
  const largest = both[both.length - 1];
  const out: string[] = [];
  out.push(
    `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}, ESLint ${ESLint.version}, TypeScript ${ts.version}, typescript-eslint ${packageVersion('@typescript-eslint/parser')}; ${new Date().toISOString().slice(0, 10)}; seed ${seed}, ${warm === 'warm' ? 'JIT warmed up on a small corpus first' : 'cold processes'}.`,
  );
  out.push('', table([...corpora, ...repos]));
  if (smallest && largest && smallest !== largest) {
    out.push('', `Per-kLOC rule time, ${largest.label} / ${smallest.label}: ${(perKloc(largest) / perKloc(smallest)).toFixed(2)}×`);
  }
  out.push('', 'Time per rule (ms, summed over files), rules enabled together:', '', perRuleTable([...both, ...repos.filter(row => row.side === 'both')]));
  if (relint) {
    out.push(
      '',
      `Warm relint (${relint.files} files, ${relint.loc} LOC; initial lint ${(relint.initialWallMs / 1000).toFixed(1)} s; one long-lived ESLint instance, project service kept up to date):`,
      '',
      '| edit | file | how | wall (ms) | parse (ms) | socket-leaks (ms) | no-floating-promises (ms) |',
      '| --: | :-- | :-- | --: | --: | --: | --: |',
      ...relint.edits.map(
        (item, index) =>
          `| ${index + 1} | ${item.file} | ${item.how} | ${ms(item.wallMs)} | ${ms(item.parseMs)} | ${item.oursMs.toFixed(1)} | ${item.nfpMs.toFixed(1)} |`,
      ),
    );
  }
  if (values.profile !== undefined) {
    log(`bench: CPU profile of ${values.profile} LOC ...`);
    out.push('', await profileCorpus(Number(values.profile), seed, warm, values['profile-side'] === 'ours' ? 'ours' : 'both'));
  }
  out.push('', `Benchmark took ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (values.json !== undefined) {
    fs.writeFileSync(values.json, `${JSON.stringify({ corpora, repos, relint }, null, 2)}\n`);
  }
  return 0;
}

async function child(args: readonly string[]): Promise<void> {
  const [kind, target = '', seedText = '1', side = 'both', warmText = 'warm'] = args;
  const seed = Number(seedText);
  const warm = warmText === 'warm';
  let result: unknown;
  if (kind === 'corpus') {
    result = await childCorpus(Number(target), seed, side as Side, warm);
  } else if (kind === 'repo') {
    result = await childRepo(target, seed, side as Side, warm);
  } else if (kind === 'relint') {
    result = await childRelint(seed, warm);
  } else {
    throw new Error(`unknown child kind ${String(kind)}`);
  }
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    await child(argv.slice(1));
  } else {
    process.exitCode = await orchestrate(argv);
  }
}
