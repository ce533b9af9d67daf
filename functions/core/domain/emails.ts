/**
 * Email content, as pure functions of the facts: subject, plain text and HTML, in the
 * association's name. Sending goes through the outbox (services/outbox.ts).
 */
export interface Mail {
  subject: string;
  text: string;
  html: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Money in minor units, shown in the currency's own format ("€120.00"). */
export function formatMoney(amount: number, currency: string): string {
  const fmt = new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() });
  const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
  return fmt.format(amount / 10 ** digits);
}

export const formatDate = (isoDate: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone }).format(new Date(isoDate));

function layout(associationName: string, paragraphs: string[], action?: { label: string; url: string }): Mail['html'] {
  const body = paragraphs.map((p) => `<p style="margin:0 0 12px">${escape(p)}</p>`).join('');
  const button = action
    ? `<p><a href="${escape(action.url)}" style="display:inline-block;padding:10px 16px;background:#1f6feb;color:#fff;border-radius:6px;text-decoration:none">${escape(action.label)}</a></p>`
    : '';
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b1f23;max-width:560px;margin:auto;padding:16px"><h2 style="margin:0 0 16px">${escape(associationName)}</h2>${body}${button}<p style="color:#57606a;font-size:12px">Sent on behalf of ${escape(associationName)}.</p></body></html>`;
}

function mail(associationName: string, subject: string, paragraphs: string[], action?: { label: string; url: string }): Mail {
  const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : []), '', `— ${associationName}`].join('\n\n');
  return { subject, text, html: layout(associationName, paragraphs, action) };
}

export interface DuesFacts {
  associationName: string;
  memberName: string;
  planName: string;
  timezone: string;
}

export const receiptMail = (f: DuesFacts & { amount: number; currency: string; paidAt: string; periodEnd: string | null }) =>
  mail(f.associationName, `Receipt: ${f.planName} membership`, [
    `Hello ${f.memberName},`,
    `Thank you: we received ${formatMoney(f.amount, f.currency)} for your ${f.planName} membership on ${formatDate(f.paidAt, f.timezone)}.`,
    f.periodEnd ? `Your membership is active until ${formatDate(f.periodEnd, f.timezone)}.` : 'Your membership does not expire.',
  ]);

export const paymentFailedMail = (f: DuesFacts & { amount: number; currency: string; graceUntil: string | null; billingUrl: string }) =>
  mail(
    f.associationName,
    `Your ${f.planName} membership payment failed`,
    [
      `Hello ${f.memberName},`,
      `We could not collect ${formatMoney(f.amount, f.currency)} for your ${f.planName} membership.`,
      f.graceUntil
        ? `Your membership stays active until ${formatDate(f.graceUntil, f.timezone)}; please update your card before then.`
        : 'Please update your card to keep your membership.',
    ],
    { label: 'Update your card', url: f.billingUrl },
  );

export const renewalReminderMail = (
  f: DuesFacts & { daysBefore: number; periodEnd: string; amount: number; currency: string; autoRenew: boolean; viaStripe: boolean; billingUrl: string },
) => {
  const when = formatDate(f.periodEnd, f.timezone);
  if (f.viaStripe && f.autoRenew) {
    return mail(
      f.associationName,
      `Your ${f.planName} membership renews on ${when}`,
      [`Hello ${f.memberName},`, `Your ${f.planName} membership renews automatically on ${when} for ${formatMoney(f.amount, f.currency)}.`, 'Nothing to do if your card is up to date.'],
      { label: 'Manage your membership', url: f.billingUrl },
    );
  }
  return mail(
    f.associationName,
    `Your ${f.planName} membership ends on ${when}`,
    [
      `Hello ${f.memberName},`,
      `Your ${f.planName} membership ends on ${when}${f.viaStripe ? ' and will not renew automatically' : ''}.`,
      `To stay a member, renew for ${formatMoney(f.amount, f.currency)} before then.`,
    ],
    { label: 'Renew your membership', url: f.billingUrl },
  );
};

export const lapsedMail = (f: DuesFacts & { billingUrl: string }) =>
  mail(
    f.associationName,
    `Your ${f.planName} membership has lapsed`,
    [`Hello ${f.memberName},`, `Your ${f.planName} membership has lapsed because it was not renewed. Members-only events and the directory are no longer available to you.`, 'We would love to have you back.'],
    { label: 'Renew your membership', url: f.billingUrl },
  );
