/**
 * Matching quality and cost on seeded synthetic populations (bench/matching/generator.ts):
 *
 *   npx tsx bench/matching/run.ts                       # 100, 1k, 10k, 100k attendees
 *   npx tsx bench/matching/run.ts --sizes 300,1000 --k 3 --seed 1
 *
 * Each size runs in its own child process, so its time and peak memory (VmHWM, the
 * kernel's high-water mark of resident memory) are its own. Per size: our total score as a
 * ratio of the exact optimum of the same b-matching (HiGHS MIP; over every pair where
 * feasible, else over the candidate pairs, else the LP dual bound, an upper bound), beside
 * random introductions and plain greedy; coverage (share with ≥1 and with k matches, beside
 * the exact solution's); fairness of per-person score (min, 10th percentile, Gini);
 * cross-company share; repeats of a previous event's pairs; time and peak memory.
 *
 * Needs first (`--needs 100,300`, on a skewed population where few offer what many seek):
 * attendees with a need met against the exact optimum of that count (HiGHS MIP, same caps
 * and exclusions), the score against the score optimum, and coverage, beside the engine
 * without needs first (the objective before). `--needs ''` skips it, `--sizes ''` the rest.
 * `--unique seeker` runs it with `uniquePairs: 'seeker'` (see BMatchingOptions).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { computeMatches, type MatchHistory, type MatchProfile } from '../../functions/core/domain/matching/index.js';
import { compilePopulation, scoreCompiled } from '../../functions/core/domain/matching/scoring.js';
import { allPairsGraph, buildCandidateGraph, defaultCandidateOptions, type CandidateGraph } from '../../functions/core/domain/matching/candidates.js';
import { lpDualBound, solveBMatching } from '../../functions/core/domain/matching/bmatching.js';
import { radixOrder } from '../../functions/core/domain/matching/order.js';
import { exactBMatching } from './exact.js';
import { exactNeeds } from './exact-needs.js';
import { needBits } from '../../functions/core/domain/matching/needs.js';
import { generateHistory, generatePopulation, prng, skewed } from './generator.js';

/** Exact MIP over every pair up to this size, over the candidate pairs up to the next. */
const EXACT_ALL_PAIRS_MAX = 1000;
const EXACT_CANDIDATES_MAX = 2000;

interface SizeResult {
  n: number;
  k: number;
  ours: number;
  reference: { kind: 'exact, all pairs' | 'exact, candidates' | 'LP bound, candidates'; value: number };
  exactAll?: number;
  exactCandidates?: number;
  lpBound: number;
  random: number;
  greedy: number;
  coverage: { ours1: number; oursK: number; exact1?: number; exactK?: number; coverable: number };
  fairness: { min: number; p10: number; gini: number; minCoverable: number };
  crossCompany: number;
  repeats: { withHistory: number; withoutHistory?: number; pastPairs: number };
  ms: number;
  cpuMs: number;
  peakRssMb: number;
  baseRssMb: number;
  candidatePairs: number;
  exactMs?: number;
}

function vmHwmMb(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    if (line) return Number(line.replace(/\D+/g, '')) / 1024;
  } catch {
    // not Linux: fall back to the current RSS
  }
  return process.memoryUsage().rss / 2 ** 20;
}

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Gini coefficient of non-negative values (0: all equal). */
function gini(values: number[]): number {
  const xs = values.slice().sort((a, b) => a - b);
  const n = xs.length;
  const sum = xs.reduce((s, x) => s + x, 0);
  if (n === 0 || sum === 0) return 0;
  let weighted = 0;
  xs.forEach((x, i) => (weighted += (i + 1) * x));
  return (2 * weighted) / (n * sum) - (n + 1) / n;
}

/** The graph with these pairs added (those not in it yet), heaviest first again. */
function withPairs(g: CandidateGraph, pairs: [number, number, number][]): CandidateGraph {
  const have = new Set<number>();
  for (let e = 0; e < g.eu.length; e++) have.add(g.eu[e]! * g.n + g.ev[e]!);
  const extra = pairs.map(([a, b, w]) => [Math.min(a, b), Math.max(a, b), w] as const).filter(([u, v]) => !have.has(u * g.n + v));
  if (!extra.length) return g;
  const eu = Int32Array.from([...g.eu, ...extra.map((e) => e[0])]);
  const ev = Int32Array.from([...g.ev, ...extra.map((e) => e[1])]);
  const ew = Float64Array.from([...g.ew, ...extra.map((e) => e[2])]);
  const order = radixOrder(ew, true);
  return { n: g.n, eu: Int32Array.from(order, (e) => eu[e]!), ev: Int32Array.from(order, (e) => ev[e]!), ew: Float64Array.from(order, (e) => ew[e]!) };
}

/** Nearest-rank percentile of an ascending array. */
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

const sumOf = (g: CandidateGraph, edges: ArrayLike<number>) => Array.from(edges).reduce((s, e) => s + g.ew[e]!, 0);

function coverageOf(g: CandidateGraph, edges: ArrayLike<number>, k: number) {
  const deg = new Int32Array(g.n);
  for (const e of Array.from(edges)) {
    deg[g.eu[e]!]!++;
    deg[g.ev[e]!]!++;
  }
  let one = 0;
  let full = 0;
  for (const d of deg) {
    if (d > 0) one++;
    if (d === k) full++;
  }
  return { one: one / g.n, full: full / g.n };
}

/**
 * Random introductions: k rounds of pairing people in a seeded random order (skipping the
 * same company and pairs already made), each pair scored like ours.
 */
function randomPairing(profiles: MatchProfile[], k: number, seed: number): number {
  const sorted = profiles.slice().sort((a, b) => (a.userId < b.userId ? -1 : 1));
  const { ctx, compiled } = compilePopulation(sorted);
  const rnd = prng(seed);
  const deg = new Int32Array(sorted.length);
  const made = new Set<number>();
  let total = 0;
  for (let round = 0; round < k; round++) {
    const order = Array.from(sorted, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let i = 0; i + 1 < order.length; i += 2) {
      const a = Math.min(order[i]!, order[i + 1]!);
      const b = Math.max(order[i]!, order[i + 1]!);
      if (deg[a]! >= k || deg[b]! >= k || made.has(a * sorted.length + b)) continue;
      if (compiled[a]!.company >= 0 && compiled[a]!.company === compiled[b]!.company) continue;
      made.add(a * sorted.length + b);
      deg[a]!++;
      deg[b]!++;
      total += scoreCompiled(compiled[a]!, compiled[b]!, ctx);
    }
  }
  return total;
}

/** The previous event: most of the same people, matched then; its pairs and some feedback. */
function previousEvent(n: number, k: number, seed: number): MatchHistory {
  const profiles = generatePopulation(n, seed);
  const previous = computeMatches(
    profiles.filter((_, i) => i % 10 < 7),
    k,
  );
  const extra = generateHistory(profiles, seed + 1, 1);
  return { pastPairs: [...previous.matches.map((m) => [m.a, m.b] as [string, string]), ...extra.pastPairs], feedback: extra.feedback };
}

/** One size, in this process (the history comes from another one, so as not to weigh here). */
async function measure(n: number, k: number, seed: number, historyFile: string): Promise<SizeResult> {
  const profiles = generatePopulation(n, seed);
  const history = JSON.parse(readFileSync(historyFile, 'utf8')) as MatchHistory;
  const pastPairs = history.pastPairs as [string, string][];
  const baseRssMb = vmHwmMb();
  global.gc?.();

  const c0 = cpuMs();
  const t0 = performance.now();
  const result = computeMatches(profiles, k, history);
  const ms = performance.now() - t0;
  const cpu = cpuMs() - c0;
  const peakRssMb = vmHwmMb();

  const pastSet = new Set(pastPairs.map(([a, b]) => (a < b ? `${a}|${b}` : `${b}|${a}`)));
  const withHistory = result.matches.filter((m) => pastSet.has(`${m.a}|${m.b}`)).length;
  let withoutHistory: number | undefined;
  if (n <= 10_000) {
    const blind = computeMatches(profiles, k);
    withoutHistory = blind.matches.filter((m) => pastSet.has(`${m.a}|${m.b}`)).length;
  }

  // Per-person score, and who could have been matched at all.
  const perPerson = new Map<string, number>(profiles.map((p) => [p.userId, 0]));
  for (const m of result.matches) {
    perPerson.set(m.a, perPerson.get(m.a)! + m.score);
    perPerson.set(m.b, perPerson.get(m.b)! + m.score);
  }
  const scores = [...perPerson.values()].sort((a, b) => a - b);
  const company = new Map(profiles.map((p) => [p.userId, p.company?.trim().toLowerCase() || undefined]));
  const bothListed = result.matches.filter((m) => company.get(m.a) && company.get(m.b));
  const crossCompany = bothListed.length ? bothListed.filter((m) => company.get(m.a) !== company.get(m.b)).length / bothListed.length : 1;

  // The same graph the function built (same sorted order, same exclusions) for the baselines.
  const sorted = profiles.slice().sort((a, b) => (a.userId < b.userId ? -1 : 1));
  const index = new Map(sorted.map((p, i) => [p.userId, i]));
  const { ctx, compiled } = compilePopulation(sorted, history);
  const past = new Set<number>();
  for (const [a, b] of pastPairs) {
    const i = index.get(a)!;
    const j = index.get(b)!;
    if (i !== j) past.add(Math.min(i, j) * n + Math.max(i, j));
  }
  const excluded = (i: number, j: number) => past.has(i * n + j);
  const candidates = buildCandidateGraph(compiled, ctx, excluded, defaultCandidateOptions);
  // computeMatches may also match people short of k outside the candidate pairs (its second
  // chance); the references are taken over the candidate pairs plus those.
  const graph = withPairs(
    candidates,
    result.matches.map((m) => [index.get(m.a)!, index.get(m.b)!, m.score]),
  );
  const greedy = sumOf(candidates, solveBMatching(candidates, k, { dualIterations: 0, improve: false, cover: false, fillTolerance: 0 }).edges);
  const lpBound = lpDualBound(graph, k, n <= 10_000 ? 2000 : 1500);
  const random = randomPairing(profiles, k, seed + 2);

  let exactAll: number | undefined;
  let exactCandidates: number | undefined;
  let exact1: number | undefined;
  let exactK: number | undefined;
  let exactMs: number | undefined;
  if (n <= EXACT_ALL_PAIRS_MAX) {
    const all = allPairsGraph(compiled, ctx, excluded);
    const ex = await exactBMatching(all, k, { timeLimit: 600 });
    exactAll = ex.objective;
    exactMs = ex.ms;
    const cov = coverageOf(all, ex.edges, k);
    exact1 = cov.one;
    exactK = cov.full;
  }
  if (n <= EXACT_CANDIDATES_MAX) {
    const ex = await exactBMatching(graph, k, { timeLimit: 600 });
    exactCandidates = ex.objective;
    if (exact1 === undefined) {
      const cov = coverageOf(graph, ex.edges, k);
      exact1 = cov.one;
      exactK = cov.full;
      exactMs = ex.ms;
    }
  }
  const reference: SizeResult['reference'] =
    exactAll !== undefined
      ? { kind: 'exact, all pairs', value: exactAll }
      : exactCandidates !== undefined
        ? { kind: 'exact, candidates', value: exactCandidates }
        : { kind: 'LP bound, candidates', value: lpBound };

  // The least matched among those who could be matched (the rest have nothing in common with anyone).
  const coverableIds = new Set<number>();
  for (let e = 0; e < graph.eu.length; e++) coverableIds.add(graph.eu[e]!).add(graph.ev[e]!);
  const minCoverable = Math.min(...[...coverableIds].map((i) => perPerson.get(sorted[i]!.userId)!));

  return {
    n,
    k,
    ours: result.figures.totalScore,
    reference,
    exactAll,
    exactCandidates,
    lpBound,
    random,
    greedy,
    coverage: { ours1: result.figures.matched / n, oursK: result.figures.withK / n, exact1, exactK, coverable: result.figures.coverable / n },
    fairness: { min: scores[0] ?? 0, p10: percentile(scores, 10), gini: gini(scores), minCoverable },
    crossCompany,
    repeats: { withHistory, withoutHistory, pastPairs: pastPairs.length },
    ms,
    cpuMs: cpu,
    peakRssMb,
    baseRssMb,
    candidatePairs: result.figures.candidatePairs,
    exactMs,
  };
}

interface NeedsResult {
  n: number;
  needy: number;
  needsOpt: number;
  needsOptStatus: string;
  scoreOpt: number;
  lexScore: number;
  ours: { needs: number; score: number; covered: number; ms: number };
  before: { needs: number; score: number; covered: number; ms: number };
}

/**
 * Needs first on a skewed population with a history (past pairs excluded, as in a real
 * run): the engine, the engine without needs first, and the exact optima over every pair.
 */
async function measureNeeds(n: number, k: number, seed: number, uniquePairs: 'seeker' | 'mutual' = 'mutual'): Promise<NeedsResult> {
  const profiles = generatePopulation(n, seed, skewed).sort((a, b) => (a.userId < b.userId ? -1 : 1));
  const history = generateHistory(profiles, seed + 1, 1);
  const run = (needsFirst: boolean) => {
    const t0 = performance.now();
    const r = computeMatches(profiles, k, history, undefined, { bmatching: { needsFirst, uniquePairs } });
    return { needs: r.figures.needsMet, score: r.figures.totalScore, covered: r.figures.matched, ms: performance.now() - t0 };
  };
  const ours = run(true);
  const before = run(false);
  const index = new Map(profiles.map((p, i) => [p.userId, i]));
  const past = new Set<number>();
  for (const [a, b] of history.pastPairs) {
    const i = index.get(a)!;
    const j = index.get(b)!;
    if (i !== j) past.add(Math.min(i, j) * n + Math.max(i, j));
  }
  const { ctx, compiled } = compilePopulation(profiles, history);
  const all = allPairsGraph(compiled, ctx, (i, j) => past.has(i * n + j));
  const meets = needBits(all, compiled);
  const needy = new Set<number>();
  for (let e = 0; e < meets.length; e++) {
    if (meets[e]! & 1) needy.add(all.eu[e]!);
    if (meets[e]! & 2) needy.add(all.ev[e]!);
  }
  const needsOpt = await exactNeeds(all, meets, k, { objective: 'needs', timeLimit: 600 });
  const lex = await exactNeeds(all, meets, k, { objective: 'score', minNeeds: needsOpt.needsMet, timeLimit: 600 });
  const scoreOpt = await exactBMatching(all, k, { timeLimit: 600 });
  return { n, needy: needy.size, needsOpt: needsOpt.needsMet, needsOptStatus: needsOpt.status, scoreOpt: scoreOpt.objective, lexScore: lex.score, ours, before };
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  // An empty value ('') is a value: `--sizes ''` runs no timing sizes.
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const pct = (x: number | undefined, digits = 1) => (x === undefined ? '-' : `${(100 * x).toFixed(digits)}%`);
const num = (x: number | undefined, digits = 3) => (x === undefined ? '-' : x.toFixed(digits));

function table(headers: string[], rows: string[][]): string {
  const width = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join(' | ')} |`;
  return [line(headers), `|${width.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const child = arg('child', '');
  if (child === 'history') {
    writeFileSync(arg('out', ''), JSON.stringify(previousEvent(Number(arg('n', '100')), Number(arg('k', '3')), Number(arg('seed', '1')))));
    return;
  }
  if (child === 'needs') {
    console.log(JSON.stringify(await measureNeeds(Number(arg('n', '100')), Number(arg('k', '3')), Number(arg('seed', '1')), arg('unique', 'mutual') === 'seeker' ? 'seeker' : 'mutual')));
    return;
  }
  if (child === 'measure') {
    const result = await measure(Number(arg('n', '100')), Number(arg('k', '3')), Number(arg('seed', '1')), arg('history', ''));
    console.log(JSON.stringify(result));
    return;
  }
  const sizes = arg('sizes', '100,1000,10000,100000').split(',').filter(Boolean).map(Number);
  const needsSizes = arg('needs', '100,300').split(',').filter(Boolean).map(Number);
  const k = Number(arg('k', '3'));
  const seed = Number(arg('seed', '1'));
  const cpus = os.cpus();
  console.log(`node ${process.version}, ${cpus[0]?.model.trim() ?? 'cpu'} x ${cpus.length}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; k=${k}, seed=${seed}\n`);
  const results: SizeResult[] = [];
  const self = fileURLToPath(import.meta.url);
  if (needsSizes.length) {
    const needs = needsSizes.map(
      (n) =>
        JSON.parse(
          execFileSync(process.execPath, ['--import', 'tsx', self, '--child', 'needs', '--n', String(n), '--k', String(k), '--seed', String(seed), '--unique', arg('unique', 'mutual')], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] })
            .trim()
            .split('\n')
            .pop()!,
        ) as NeedsResult,
    );
    console.log(`Needs first (skewed population, history excluded; exact optima over every pair; unique pairs: ${arg('unique', 'mutual')})`);
    console.log(
      table(
        ['n', 'can have a need met', 'needs met / exact optimum', 'score / score optimum', 'exact needs-first score / score optimum', '≥1 match (before)', 'needs met before', 'score before / optimum', 'time'],
        needs.map((r) => [
          r.n.toLocaleString('en'),
          String(r.needy),
          `${r.ours.needs} / ${r.needsOpt} = ${num(r.ours.needs / r.needsOpt)}`,
          num(r.ours.score / r.scoreOpt),
          num(r.lexScore / r.scoreOpt),
          `${r.ours.covered} (${r.before.covered})`,
          `${r.before.needs} = ${num(r.before.needs / r.needsOpt)}`,
          num(r.before.score / r.scoreOpt),
          `${(r.ours.ms / 1000).toFixed(2)} s`,
        ]),
      ),
    );
    console.log('');
  }
  const dir = mkdtempSync(join(os.tmpdir(), 'matching-bench-'));
  try {
    for (const n of sizes) {
      const historyFile = join(dir, `history-${n}.json`);
      const common = ['--n', String(n), '--k', String(k), '--seed', String(seed)];
      const run = (args: string[]) =>
        execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', self, ...args, ...common], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
      run(['--child', 'history', '--out', historyFile]);
      const out = run(['--child', 'measure', '--history', historyFile]);
      const r = JSON.parse(out.trim().split('\n').pop()!) as SizeResult;
      results.push(r);
      process.stderr.write(`n=${n}: matched in ${(r.ms / 1000).toFixed(1)} s\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!results.length) return;
  const rows = results.map((r) => [
    r.n.toLocaleString('en'),
    num(r.ours / r.reference.value),
    r.reference.kind,
    num(r.random / r.reference.value),
    num(r.greedy / r.reference.value),
    `${pct(r.coverage.ours1)} / ${pct(r.coverage.exact1)}`,
    `${pct(r.coverage.oursK)} / ${pct(r.coverage.exactK)}`,
    `${num(r.fairness.min, 2)} / ${num(r.fairness.p10, 2)} / ${num(r.fairness.gini, 3)}`,
    pct(r.crossCompany),
    `${r.repeats.withHistory} (${r.repeats.withoutHistory ?? '-'})`,
    `${(r.ms / 1000).toFixed(2)} s`,
    `${(r.cpuMs / 1000).toFixed(2)} s`,
    `${Math.round(r.peakRssMb)} MB`,
  ]);
  console.log(
    table(
      ['n', 'ours/opt', 'optimum', 'random', 'greedy', '≥1 ours/exact', '=k ours/exact', 'min / p10 / Gini', 'cross-co', 'repeats (no hist.)', 'time', 'CPU', 'peak RSS'],
      rows,
    ),
  );
  console.log('\nDetail');
  console.log(
    table(
      ['n', 'ours', 'exact, all pairs', 'exact, candidates', 'LP bound', 'ours/LP bound', 'candidate pairs', 'coverable', 'min (coverable)', 'past pairs', 'exact solve', 'RSS before'],
      results.map((r) => [
        r.n.toLocaleString('en'),
        r.ours.toFixed(1),
        r.exactAll?.toFixed(1) ?? '-',
        r.exactCandidates?.toFixed(1) ?? '-',
        r.lpBound.toFixed(1),
        num(r.ours / r.lpBound, 4),
        r.candidatePairs.toLocaleString('en'),
        pct(r.coverage.coverable),
        num(r.fairness.minCoverable, 2),
        r.repeats.pastPairs.toLocaleString('en'),
        r.exactMs === undefined ? '-' : `${(r.exactMs / 1000).toFixed(1)} s`,
        `${Math.round(r.baseRssMb)} MB`,
      ]),
    ),
  );
}

await main();
