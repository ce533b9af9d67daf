/** Records of exports of personal data. Key formats: keys.ts. */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.js';
import { type Table } from './table.js';
import { auditOps } from './audit.js';

export function exportsRepo(t: Table) {
  const { db, name: table } = t;
  const { auditPut } = auditOps(t.name);
  return {
    async recordExport(associationId: string, record: { exportId: string; what: string; subjectId?: string; actorId: string; rows: number; format: string; at: string }): Promise<void> {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: { ...keys.exportRecord(associationId, record.exportId), ...keys.exportOfList(associationId, record.subjectId ? `EVENT#${record.subjectId}` : record.what, record.exportId), entity: 'export', associationId, ...record },
              },
            },
            auditPut({ associationId, action: 'export.created', actorId: record.actorId, subjectId: record.subjectId, at: record.at, data: { what: record.what, rows: record.rows, format: record.format } }),
          ],
        }),
      );
    },
  };
}

export type ExportsRepo = ReturnType<typeof exportsRepo>;
