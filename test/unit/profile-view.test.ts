/**
 * PUT /me/profile stores connectionsSee (what connections see) and answers with the stored
 * profile, so the published ProfileView must list it; otherwise the response check answers
 * 500 "Response Drift" on every profile save (found running `npm run seed`).
 */
import { ProfilePut } from '../../functions/core/schemas.js';
import { ProfileView } from '../../functions/core/responses.js';

describe('ProfileView', () => {
  it('accepts a saved profile with what connections see', () => {
    const saved = { userId: 'u1', ...ProfilePut.parse({ name: 'Ada' }), updatedAt: '2026-01-01T00:00:00.000Z' };
    expect(saved.connectionsSee).toEqual({ email: false, company: true });
    const parsed = ProfileView.safeParse(saved);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});
