/**
 * The email outbox's sender: mail is written as an item in the same transaction as the state
 * change that causes it, then sent here by the stream consumer (functions/streams/handler.ts),
 * alone in bundling SES. It claims each mail with a conditional update before sending, so
 * retried records, a sweep's retry (services/outbox-sweep.ts) and concurrent senders never send it twice.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Store } from '../data/store.js';
import type { OutboxMail } from '../domain/types.js';
import { logger } from '../http/logger.js';
import type { OutboxRepo, RsvpsRepo, SuppressionsRepo } from '../data/store.js';

/** The repositories this service uses (functions/core/data/). */
export type OutboxStore = OutboxRepo & RsvpsRepo & SuppressionsRepo;

const MAX_ATTEMPTS = 8;

export interface Mailer {
  ses: SESv2Client;
  fromAddress: string;
  configurationSet?: string;
}

/** Display names may not carry quotes or angle brackets into the From header. */
const fromHeader = (name: string, address: string) => `"${name.replace(/["<>\\\r\n]/g, '')}" <${address}>`;

/** Sends one queued mail if no one else has; returns what happened. */
export async function deliver(store: OutboxStore, mailer: Mailer, mailId: string, now: Date): Promise<'sent' | 'skipped' | 'retry' | 'failed'> {
  const mail = await store.claimMail(mailId, now);
  if (!mail) return 'skipped';
  try {
    return await sendClaimed(store, mailer, mail, now);
  } catch (err) {
    // Failed before SES took it (e.g. a throttled read): release the claim so a retry sends it.
    if ((err as { beforeSend?: boolean }).beforeSend !== false) await store.finishMail(mailId, 'pending', now.toISOString()).catch(() => {});
    throw err;
  }
}

async function sendClaimed(store: OutboxStore, mailer: Mailer, mail: OutboxMail, now: Date): Promise<'sent' | 'skipped' | 'retry' | 'failed'> {
  const mailId = mail.mailId;
  // Bounced or complained addresses get nothing; unsubscribed ones not that kind of mail.
  // A mail may be addressed to several people (an introduction); suppressed ones are dropped.
  const recipients: string[] = [];
  for (const address of mail.to.split(',')) if (!(await store.isSuppressed(address, mail.kind))) recipients.push(address);
  if (!recipients.length) {
    await store.finishMail(mailId, 'suppressed', now.toISOString());
    return 'skipped';
  }
  mail.to = recipients.join(',');
  if (mail.fill?.position) {
    const position = String(await store.waitlistPosition(mail.fill.position.eventId, mail.fill.position.waitKey));
    mail.subject = mail.subject.replaceAll('{{position}}', position);
    mail.text = mail.text.replaceAll('{{position}}', position);
    mail.html = mail.html.replaceAll('{{position}}', position);
  }
  try {
    await sendWithBackoff(mailer, mail);
  } catch (err) {
    const outcome = mail.attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
    logger.warn('email not sent', { mailId, kind: mail.kind, errorName: (err as Error).name, attempts: mail.attempts, outcome });
    await store.finishMail(mailId, outcome, now.toISOString());
    return outcome === 'failed' ? 'failed' : 'retry';
  }
  // SES has the mail: from here on an error must not release the claim (no second send).
  try {
    await store.finishMail(mailId, 'sent', new Date().toISOString());
  } catch (err) {
    throw Object.assign(err as Error, { beforeSend: false });
  }
  return 'sent';
}

const SES_THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'LimitExceededException']);

/** SES throttling is retried here with exponential backoff and jitter; other errors go back to the caller. */
async function sendWithBackoff(mailer: Mailer, mail: OutboxMail, tries = 4): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await sendOnce(mailer, mail);
    } catch (err) {
      if (!(err instanceof Error && SES_THROTTLED.has(err.name)) || attempt + 1 >= tries) throw err;
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}

async function sendOnce(mailer: Mailer, mail: OutboxMail): Promise<void> {
  {
    await mailer.ses.send(
      new SendEmailCommand({
        FromEmailAddress: fromHeader(mail.fromName, mailer.fromAddress),
        ...(mailer.configurationSet ? { ConfigurationSetName: mailer.configurationSet } : {}),
        Destination: { ToAddresses: mail.to.split(',') },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
            ...(mail.headers ? { Headers: Object.entries(mail.headers).map(([Name, Value]) => ({ Name, Value })) } : {}),
            ...(mail.attachments?.length
              ? { Attachments: mail.attachments.map((a) => ({ FileName: a.filename, ContentType: a.contentType, RawContent: Buffer.from(a.contentBase64, 'base64'), ...(a.contentId ? { ContentDisposition: 'INLINE' as const, ContentId: a.contentId } : {}) })) }
              : {}),
          },
        },
      }),
    );
  }
}
