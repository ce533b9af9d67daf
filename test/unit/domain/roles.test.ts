import { inGoodStanding, memberStatuses, roleAtLeast, roles, type Role } from '../../../functions/core/domain/roles.js';

describe('roles', () => {
  it('orders roles weakest first', () => {
    expect(roles).toEqual(['member', 'organizer', 'admin', 'owner']);
  });

  const rank: Record<Role, number> = { member: 0, organizer: 1, admin: 2, owner: 3 };
  const pairs = roles.flatMap((role) => roles.map((needed) => [role, needed, rank[role] >= rank[needed]] as const));

  it.each(pairs)('%s is at least %s → %s', (role, needed, answer) => {
    expect(roleAtLeast(role, needed)).toBe(answer);
  });
});

describe('inGoodStanding', () => {
  it.each([
    ['active', true],
    ['past_due', true],
    ['pending', false],
    ['lapsed', false],
    ['cancelled', false],
  ] as const)('%s → %s', (status, answer) => {
    expect(inGoodStanding(status)).toBe(answer);
  });

  it('has an answer for every status', () => {
    expect([...memberStatuses].sort()).toEqual(['active', 'cancelled', 'lapsed', 'past_due', 'pending']);
  });
});
