/**
 * Against the exact optimum of the same b-matching (HiGHS MIP over every pair) on small
 * seeded populations: the total score within 2 % of it, and coverage no worse.
 */
import { computeMatches } from '../../../functions/core/domain/matching/index.js';
import { allPairsGraph } from '../../../functions/core/domain/matching/candidates.js';
import { compilePopulation } from '../../../functions/core/domain/matching/scoring.js';
import { solveBMatching } from '../../../functions/core/domain/matching/bmatching.js';
import { exactBMatching } from '../../../bench/matching/exact.js';
import { generatePopulation } from '../../../bench/matching/generator.js';

const cases = [
  { n: 80, k: 3, seed: 1 },
  { n: 150, k: 3, seed: 2 },
  { n: 150, k: 2, seed: 3 },
  { n: 200, k: 3, seed: 4 },
  { n: 200, k: 1, seed: 5 },
];

describe('quality against the exact optimum', () => {
  it.each(cases)('reaches 98 % of the optimum: n=$n k=$k seed=$seed', async ({ n, k, seed }) => {
    const profiles = generatePopulation(n, seed).sort((a, b) => (a.userId < b.userId ? -1 : 1));
    const { ctx, compiled } = compilePopulation(profiles);
    const all = allPairsGraph(compiled, ctx);
    const exact = await exactBMatching(all, k);
    expect(exact.status).toBe('optimal');

    const ours = computeMatches(profiles, k);
    const ratio = ours.figures.totalScore / exact.objective;
    expect(ratio).toBeGreaterThanOrEqual(0.98);
    expect(ratio).toBeLessThanOrEqual(1 + 1e-9);

    const covered = new Set<number>();
    for (const e of exact.edges) covered.add(all.eu[e]!).add(all.ev[e]!);
    expect(ours.figures.matched).toBeGreaterThanOrEqual(covered.size);

    // The plain greedy pass alone is the baseline the local search improves on.
    const greedy = solveBMatching(all, k, { dualIterations: 0, improve: false, cover: false, fillTolerance: 0 });
    const greedyTotal = Array.from(greedy.edges).reduce((s, e) => s + all.ew[e]!, 0);
    expect(ours.figures.totalScore).toBeGreaterThanOrEqual(greedyTotal);
  });
});
