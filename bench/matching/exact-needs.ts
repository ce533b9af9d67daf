/**
 * The exact optimum of needs met, as a MIP solved by HiGHS: at most k matches per person
 * (x_e ∈ {0, 1}, Σ_{e∋v} x_e ≤ k), z_v ≤ 1 when v has at least one need met
 * (z_v ≤ Σ x_e over the edges on which v receives), maximise Σ z_v. With `minNeeds`, the
 * best total score among matchings meeting at least that many (the lexicographic optimum
 * when it is the needs optimum). Bench and tests only; never imported from functions/.
 */
import type { CandidateGraph } from '../../functions/core/domain/matching/candidates.js';
import { RECEIVES_U, RECEIVES_V, type NeedBits } from '../../functions/core/domain/matching/needs.js';
import { solver } from './exact.js';

export interface ExactNeedsSolution {
  edges: Int32Array;
  needsMet: number;
  score: number;
  status: string;
  ms: number;
}

export async function exactNeeds(
  g: CandidateGraph,
  meets: NeedBits,
  k: number,
  options: { objective: 'needs' | 'score'; minNeeds?: number; timeLimit?: number; /** Edge ids every solution must contain. */ forced?: readonly number[] },
): Promise<ExactNeedsSolution> {
  const h = await solver();
  const { n, eu, ev, ew } = g;
  const m = eu.length;
  const started = performance.now();
  // One z per person who can receive on some edge, in node order.
  const zRow = new Int32Array(n).fill(-1);
  let seekers = 0;
  for (let e = 0; e < m; e++) {
    if (meets[e]! & RECEIVES_U) zRow[eu[e]!] = 0;
    if (meets[e]! & RECEIVES_V) zRow[ev[e]!] = 0;
  }
  for (let x = 0; x < n; x++) if (zRow[x] === 0) zRow[x] = n + seekers++;
  if (m === 0) return { edges: new Int32Array(0), needsMet: 0, score: 0, status: 'Optimal', ms: 0 };
  const countRow = options.minNeeds !== undefined;
  const numRows = n + seekers + (countRow ? 1 : 0);
  const numCols = m + seekers;
  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (let e = 0; e < m; e++) {
    const u = Math.min(eu[e]!, ev[e]!);
    const v = Math.max(eu[e]!, ev[e]!);
    indices.push(u, v);
    values.push(1, 1);
    const recvU = eu[e] === u ? meets[e]! & RECEIVES_U : meets[e]! & RECEIVES_V;
    const recvV = eu[e] === u ? meets[e]! & RECEIVES_V : meets[e]! & RECEIVES_U;
    if (recvU) indices.push(zRow[u]!), values.push(-1);
    if (recvV) indices.push(zRow[v]!), values.push(-1);
    starts.push(indices.length);
  }
  for (let j = 0; j < seekers; j++) {
    indices.push(n + j);
    values.push(1);
    if (countRow) indices.push(n + seekers), values.push(1);
    starts.push(indices.length);
  }
  const colCost = new Float64Array(numCols);
  if (options.objective === 'score') colCost.set(ew);
  else colCost.fill(1, m);
  const rowLower = new Float64Array(numRows).fill(-h.infinity);
  const rowUpper = new Float64Array(numRows);
  rowUpper.fill(k, 0, n);
  if (countRow) {
    rowLower[numRows - 1] = options.minNeeds!;
    rowUpper[numRows - 1] = h.infinity;
  }
  const model = h.createModel({
    numCols,
    numRows,
    sense: h.constants.objectiveSense.maximize,
    colCost,
    colLower: (() => {
      const lower = new Float64Array(numCols);
      for (const e of options.forced ?? []) lower[e] = 1;
      return lower;
    })(),
    colUpper: new Float64Array(numCols).fill(1),
    rowLower,
    rowUpper,
    matrix: { format: 'csc', numRows, numCols, starts: Int32Array.from(starts), indices: Int32Array.from(indices), values: Float64Array.from(values) },
    integrality: new Int32Array(numCols).fill(h.constants.variableType.integer),
  });
  try {
    model.options.set({ output_flag: false, mip_rel_gap: 1e-6, time_limit: options.timeLimit ?? 300, random_seed: 0 });
    model.run();
    const status = model.getModelStatus();
    const x = model.getSolution().colValue;
    const edges: number[] = [];
    let score = 0;
    const met = new Uint8Array(n);
    for (let e = 0; e < m; e++) {
      if (x[e]! > 0.5) {
        edges.push(e);
        score += ew[e]!;
        if (meets[e]! & RECEIVES_U) met[eu[e]!] = 1;
        if (meets[e]! & RECEIVES_V) met[ev[e]!] = 1;
      }
    }
    const name = Object.entries(h.constants.modelStatus).find(([, v]) => v === status)?.[0] ?? String(status);
    return { edges: Int32Array.from(edges), needsMet: met.reduce((s, c) => s + c, 0), score, status: name, ms: performance.now() - started };
  } finally {
    model.dispose();
  }
}
