/**
 * SES bounce and complaint notifications (through SNS): a hard bounce or a complaint
 * suppresses every later mail to that address, so we keep our sending reputation.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SNSEvent } from 'aws-lambda';
import { table } from '../core/deps.js';
import { suppressionsRepo } from '../core/data/suppressions.js';
import { logger } from '../core/http/logger.js';

// The one repository it uses: the bundle leaves the others out (deps.ts).
const store = suppressionsRepo(table);

interface SesNotification {
  notificationType?: string;
  eventType?: string;
  bounce?: { bounceType: string; bouncedRecipients: { emailAddress: string }[] };
  complaint?: { complainedRecipients: { emailAddress: string }[] };
}

/** Addresses to suppress for one notification: permanent bounces and all complaints. */
export function addressesToSuppress(n: SesNotification): { email: string; reason: string }[] {
  const type = n.notificationType ?? n.eventType;
  if (type === 'Bounce' && n.bounce?.bounceType === 'Permanent') return n.bounce.bouncedRecipients.map((r) => ({ email: r.emailAddress, reason: 'bounce' }));
  if (type === 'Complaint' && n.complaint) return n.complaint.complainedRecipients.map((r) => ({ email: r.emailAddress, reason: 'complaint' }));
  return [];
}

export const handler = middy(async (event: SNSEvent) => {
  const now = new Date().toISOString();
  let suppressed = 0;
  for (const record of event.Records) {
    let n: SesNotification;
    try {
      n = JSON.parse(record.Sns.Message);
    } catch {
      logger.warn('not an SES notification');
      continue;
    }
    for (const { email, reason } of addressesToSuppress(n)) {
      await store.suppress(email, 'ALL', reason, now);
      suppressed++;
    }
  }
  logger.info('ses notifications', { suppressed });
  return { suppressed };
}).use(injectLambdaContext(logger, { resetKeys: true }));
