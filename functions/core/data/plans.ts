/** Membership plans of an association. Key formats: keys.ts. */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { strip, setExpression, type Table } from './table.js';
import type { Plan } from '../domain/types.js';
import { auditOps } from './audit.js';

/** The plan as stored. */
export const planItem = (p: Plan) => ({ ...keys.plan(p.associationId, p.planId), entity: 'plan', ...p });

export function plansRepo(t: Table) {
  const { db, name: table, write, queryPage } = t;
  const { auditPut } = auditOps(t.name);
  return {
    async putPlan(plan: Plan, actorId: string): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: planItem(plan), ConditionExpression: 'attribute_not_exists(pk)' } },
              auditPut({ associationId: plan.associationId, action: 'plan.created', actorId, subjectId: plan.planId, at: plan.createdAt }),
            ],
          }),
        ),
      );
    },

    async getPlan(associationId: string, planId: string): Promise<Plan | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.plan(associationId, planId) }));
      return strip<Plan>(res.Item);
    },

    /** All plans of an association (a handful), archived ones included. */
    async plansOfAssociation(associationId: string): Promise<Plan[]> {
      const { pk, skPrefix } = keys.plansPrefix(associationId);
      const page = await queryPage<Plan>(
        { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix } },
        { limit: 1000 },
      );
      return page.items;
    },

    async updatePlan(associationId: string, planId: string, patch: Record<string, unknown>, actorId: string, at: string): Promise<Plan> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.plan(associationId, planId),
                  ...setExpression(patch, at),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              auditPut({ associationId, action: patch.archived ? 'plan.archived' : 'plan.updated', actorId, subjectId: planId, at }),
            ],
          }),
        ),
      );
      return (await this.getPlan(associationId, planId))!;
    },
  };
}

export type PlansRepo = ReturnType<typeof plansRepo>;
