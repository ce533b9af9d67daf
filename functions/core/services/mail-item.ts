/** Builds outbox items. Kept apart from the sender so code that only queues mail does not bundle SES. */
import { ulid } from 'ulid';
import type { OutboxMail } from '../domain/types.js';
import type { Mail } from '../domain/emails.js';

export function newMail(
  input: {
    to: string;
    fromName: string;
    kind: string;
    associationId?: string;
    mail: Mail;
    headers?: Record<string, string>;
    attachments?: OutboxMail['attachments'];
    fill?: OutboxMail['fill'];
    /** A deterministic id makes queueing idempotent (a retried expansion adds nothing). */
    mailId?: string;
  },
  now: Date,
): OutboxMail {
  return {
    mailId: input.mailId ?? ulid(now.getTime()),
    attachments: input.attachments,
    fill: input.fill,
    associationId: input.associationId,
    kind: input.kind,
    to: input.to,
    fromName: input.fromName,
    subject: input.mail.subject,
    text: input.mail.text,
    html: input.mail.html,
    headers: input.headers,
    status: 'pending',
    attempts: 0,
    createdAt: now.toISOString(),
  };
}

