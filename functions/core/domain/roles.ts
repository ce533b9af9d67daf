/** Roles inside an association, weakest first. Admin rights include organizer rights. */
export const roles = ['member', 'organizer', 'admin', 'owner'] as const;
export type Role = (typeof roles)[number];

export const memberStatuses = ['pending', 'active', 'past_due', 'lapsed', 'cancelled'] as const;
export type MemberStatus = (typeof memberStatuses)[number];

export const roleAtLeast = (role: Role, needed: Role): boolean => roles.indexOf(role) >= roles.indexOf(needed);

/** Members in good standing: paid up, or past due but still inside the grace period. */
export const inGoodStanding = (status: MemberStatus): boolean => status === 'active' || status === 'past_due';
