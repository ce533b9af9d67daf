/**
 * The stored shape of a membership: the one place its index keys are computed, from its
 * whole state. Every member write is a Put of this item (conditional on the version read),
 * so no write path can leave a stale entry in the directory, status, plan, name or email
 * index. Sparse: an item is in the directory index only while listed there.
 */
import * as keys from './keys.js';
import { listedInDirectory } from '../domain/preferences.js';
import type { Member } from '../domain/types.js';

export function memberItem(m: Member) {
  const nameLower = m.name.toLowerCase();
  const emailLower = m.email.toLowerCase();
  return {
    ...keys.member(m.associationId, m.userId),
    // An erased person's pseudonymised membership is no longer filed under them (docs/privacy.md).
    ...(m.erasedAt ? {} : keys.memberByUser(m.userId, m.associationId)),
    ...(m.dueAt ? keys.memberDue(m.dueAt, m.associationId, m.userId) : {}),
    ...(listedInDirectory(m) ? keys.memberInDirectory(m.associationId, nameLower, m.userId) : {}),
    ...keys.memberByStatus(m.associationId, m.status, nameLower, m.userId),
    ...keys.memberByName(m.associationId, nameLower, m.userId),
    ...keys.memberByEmail(m.associationId, emailLower, m.userId),
    ...(m.planId ? keys.memberByPlan(m.associationId, m.planId, nameLower, m.userId) : {}),
    entity: 'member',
    ...m,
    nameLower,
    emailLower,
  };
}
