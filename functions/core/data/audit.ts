/** Append-only history of an association: who did what, when. Key formats: keys.ts. */
import { ulid } from 'ulid';
import * as keys from './keys.js';
import { type Table, type Page, type PageRequest } from './table.js';
import type { AuditEntry } from '../domain/types.js';

/** Transaction parts of this entity, for the table named `table`. */
export function auditOps(table: string) {
  function auditPut(entry: Omit<AuditEntry, 'auditId'>) {
    const auditId = ulid();
    // Entries about a person are also keyed by them, so their own export can find them.
    const aboutPerson = entry.subjectId && /^(member|rsvp)\./.test(entry.action) ? keys.auditOfUser(entry.subjectId, entry.associationId, auditId) : {};
    return { Put: { TableName: table, Item: { ...keys.audit(entry.associationId, auditId), ...aboutPerson, entity: 'audit', auditId, ...entry } } };
  }

  return { auditPut };
}

export function auditRepo(t: Table) {
  const { queryPage } = t;
  return {
    async auditOf(associationId: string, page: PageRequest): Promise<Page<AuditEntry>> {
      const { pk, skPrefix } = keys.auditPrefix(associationId);
      return queryPage<AuditEntry>(
        { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix }, ScanIndexForward: false },
        page,
      );
    },
  };
}

export type AuditRepo = ReturnType<typeof auditRepo>;
