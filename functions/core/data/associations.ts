/** Associations: the association item, its slug guard, its link to a Stripe account. Key formats: keys.ts. */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { memberItem } from './member-item.js';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { strip, setExpression, type Table } from './table.js';
import type { Association, Member } from '../domain/types.js';
import { auditOps } from './audit.js';
import { stripeEventsOps } from './stripe-events.js';

/** Transaction parts of this entity, for the table named `table`. */
export function associationsOps(table: string) {
  function ownerCountUpdate(associationId: string, delta: number) {
    return {
      Update: {
        TableName: table,
        Key: keys.association(associationId),
        UpdateExpression: 'SET ownerCount = ownerCount + :d',
        // The last owner cannot leave or be demoted: someone must always be able to administer.
        ConditionExpression: delta < 0 ? 'ownerCount > :one' : 'attribute_exists(pk)',
        ExpressionAttributeValues: delta < 0 ? { ':d': delta, ':one': 1 } : { ':d': delta },
      },
    };
  }

  return { ownerCountUpdate };
}

/** The association as stored. */
export const associationItem = (a: Association) => ({ ...keys.association(a.associationId), entity: 'association', ...a });

export function associationsRepo(t: Table) {
  const { db, name: table, write, batchGet } = t;
  const { auditPut } = auditOps(t.name);
  const { eventMarkerPut } = stripeEventsOps(t.name);
  return {
    async getAssociation(associationId: string): Promise<Association | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.association(associationId) }));
      return strip<Association>(res.Item);
    },

    async batchGetAssociations(ids: string[]): Promise<Map<string, Association>> {
      return batchGet<Association>(ids.map((id) => keys.association(id)), (a) => a.associationId);
    },

    /** Creates the association, reserves its slug and makes the creator owner, all or nothing. */
    async createAssociation(a: Association, owner: Member): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: associationItem(a), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: table, Item: { ...keys.slug(a.slug), entity: 'slug', associationId: a.associationId }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: table, Item: memberItem(owner), ConditionExpression: 'attribute_not_exists(pk)' } },
              auditPut({ associationId: a.associationId, action: 'association.created', actorId: owner.userId, at: a.createdAt }),
            ],
          }),
        ),
      );
    },

    async updateAssociation(associationId: string, patch: Record<string, unknown>, actorId: string, at: string): Promise<Association> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.association(associationId),
                  ...setExpression(patch, at),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              auditPut({ associationId, action: 'association.updated', actorId, at, data: { fields: Object.keys(patch) } }),
            ],
          }),
        ),
      );
      return (await this.getAssociation(associationId))!;
    },

    /** Links a connected account to an association, once; the account id can never be swapped. */
    async linkStripeAccount(associationId: string, accountId: string, actorId: string, at: string): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.association(associationId),
                  UpdateExpression: 'SET stripeAccountId = :acct, chargesEnabled = :false, updatedAt = :at',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(stripeAccountId)',
                  ExpressionAttributeValues: { ':acct': accountId, ':false': false, ':at': at },
                },
              },
              { Put: { TableName: table, Item: { ...keys.stripeAccount(accountId), entity: 'stripe_account', associationId }, ConditionExpression: 'attribute_not_exists(pk)' } },
              auditPut({ associationId, action: 'stripe.connected', actorId, at, data: { accountId } }),
            ],
          }),
        ),
      );
    },

    async associationIdForStripeAccount(accountId: string): Promise<string | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.stripeAccount(accountId) }));
      return res.Item?.associationId as string | undefined;
    },

    /** Applies Stripe's account status to the association, once per event. */
    async updateStripeAccountStatus(associationId: string, accountId: string, status: { chargesEnabled: boolean; detailsSubmitted: boolean }, eventId: string, at: string): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.association(associationId),
                  UpdateExpression: 'SET chargesEnabled = :ce, stripeDetailsSubmitted = :ds, updatedAt = :at',
                  ConditionExpression: 'stripeAccountId = :acct',
                  ExpressionAttributeValues: { ':ce': status.chargesEnabled, ':ds': status.detailsSubmitted, ':at': at, ':acct': accountId },
                },
              },
              eventMarkerPut(eventId, at),
              auditPut({ associationId, action: 'stripe.account_updated', actorId: 'stripe', at, data: { ...status } }),
            ],
          }),
        ),
      );
    },
  };
}

export type AssociationsRepo = ReturnType<typeof associationsRepo>;
