/**
 * The exact maximum-weight b-matching of a graph, as a MIP solved by HiGHS (WebAssembly):
 * maximise Σ w_e x_e subject to Σ_{e∋v} x_e ≤ k for every person v, x_e ∈ {0, 1}.
 * Used by the bench and the tests only; never imported from functions/.
 */
import * as highsModule from 'highs';
import type { Highs } from 'highs';
import type { CandidateGraph } from '../../functions/core/domain/matching/candidates.js';

export interface ExactSolution {
  /** Edge ids of the optimal matching. */
  edges: Int32Array;
  objective: number;
  /** HiGHS's status text ("Optimal" when proven). */
  status: string;
  /** Relative MIP gap HiGHS reports (0 when proven optimal). */
  gap: number;
  ms: number;
}

// The package's types describe its CommonJS build; under ESM the loader is the default export.
const loadHighs = ((highsModule as unknown as { default?: unknown }).default ?? highsModule) as () => Promise<Highs>;
let highs: Promise<Highs> | undefined;

/** The HiGHS module, loaded once. */
export function solver(): Promise<Highs> {
  highs ??= loadHighs();
  return highs;
}

export async function exactBMatching(g: CandidateGraph, k: number, options: { timeLimit?: number } = {}): Promise<ExactSolution> {
  const h = await solver();
  const m = g.eu.length;
  const started = performance.now();
  if (m === 0) return { edges: new Int32Array(0), objective: 0, status: 'Optimal', gap: 0, ms: 0 };
  // Column e has a 1 in the rows of its two ends (CSC, row indices ascending).
  const starts = new Int32Array(m + 1);
  const indices = new Int32Array(2 * m);
  for (let e = 0; e < m; e++) {
    starts[e + 1] = 2 * (e + 1);
    indices[2 * e] = Math.min(g.eu[e]!, g.ev[e]!);
    indices[2 * e + 1] = Math.max(g.eu[e]!, g.ev[e]!);
  }
  const model = h.createModel({
    numCols: m,
    numRows: g.n,
    sense: h.constants.objectiveSense.maximize,
    colCost: g.ew,
    colLower: new Float64Array(m),
    colUpper: new Float64Array(m).fill(1),
    rowLower: new Float64Array(g.n).fill(-h.infinity),
    rowUpper: new Float64Array(g.n).fill(k),
    matrix: { format: 'csc', numRows: g.n, numCols: m, starts, indices, values: new Float64Array(2 * m).fill(1) },
    integrality: new Int32Array(m).fill(h.constants.variableType.integer),
  });
  try {
    model.options.set({ output_flag: false, mip_rel_gap: 1e-6, time_limit: options.timeLimit ?? 120, random_seed: 0 });
    model.run();
    const status = model.getModelStatus();
    const x = model.getSolution().colValue;
    const edges: number[] = [];
    let objective = 0;
    for (let e = 0; e < m; e++) {
      if (x[e]! > 0.5) {
        edges.push(e);
        objective += g.ew[e]!;
      }
    }
    const name = Object.entries(h.constants.modelStatus).find(([, v]) => v === status)?.[0] ?? String(status);
    const gap = Number(model.info.get('mip_gap') ?? 0);
    return { edges: Int32Array.from(edges), objective, status: name, gap: Number.isFinite(gap) ? gap : 0, ms: performance.now() - started };
  } finally {
    model.dispose();
  }
}
