/**
 * What the handlers return must fit the published response schemas (the response check
 * answers 500 "Response Drift" otherwise). Both were found running `npm run seed` after the
 * merges: PUT /me/profile stores and returns connectionsSee, and computeMatches' figures
 * gained the needs counts, so every profile save and every matches preview and send failed.
 */
import { ProfilePut } from '../../functions/core/schemas.js';
import { MatchFigures, ProfileView } from '../../functions/core/responses.js';
import { computeMatches } from '../../functions/core/domain/matching/index.js';
import { generatePopulation } from '../../bench/matching/generator.js';

describe('published response schemas', () => {
  it('ProfileView accepts a saved profile with what connections see', () => {
    const saved = { userId: 'u1', ...ProfilePut.parse({ name: 'Ada' }), updatedAt: '2026-01-01T00:00:00.000Z' };
    expect(saved.connectionsSee).toEqual({ email: false, company: true, network: false });
    expect(ProfileView.safeParse(saved).error?.issues ?? []).toEqual([]);
  });

  it('MatchFigures lists every figure computeMatches returns', () => {
    const { figures } = computeMatches(generatePopulation(30, 3), 3);
    expect(MatchFigures.safeParse(figures).error?.issues ?? []).toEqual([]);
  });
});
