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

function layout(subject: string, associationName: string, paragraphs: string[], action?: { label: string; url: string }): Mail['html'] {
  const body = paragraphs.map((p) => `<p style="margin:0 0 12px">${escape(p)}</p>`).join('');
  const button = action
    ? `<p><a href="${escape(action.url)}" style="display:inline-block;padding:10px 16px;background:#1f6feb;color:#fff;border-radius:6px;text-decoration:none">${escape(action.label)}</a></p>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(subject)}</title></head><body style="font-family:system-ui,sans-serif;color:#1b1f23;max-width:560px;margin:auto;padding:16px"><h2 style="margin:0 0 16px">${escape(associationName)}</h2>${body}${button}<p style="color:#57606a;font-size:12px">Sent on behalf of ${escape(associationName)}.</p></body></html>`;
}

function mail(associationName: string, subject: string, paragraphs: string[], action?: { label: string; url: string }): Mail {
  const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : []), '', `— ${associationName}`].join('\n\n');
  return { subject, text, html: layout(subject, associationName, paragraphs, action) };
}

export interface DuesFacts {
  associationName: string;
  memberName: string;
  planName: string;
  timezone: string;
}

/** accountUrl: the member's account page (/account#memberships), where the receipt can be printed. */
export const receiptMail = (f: DuesFacts & { amount: number; currency: string; paidAt: string; periodEnd: string | null; accountUrl?: string }) =>
  mail(
    f.associationName,
    `Receipt: ${f.planName} membership`,
    [
      `Hello ${f.memberName},`,
      `Thank you: we received ${formatMoney(f.amount, f.currency)} for your ${f.planName} membership on ${formatDate(f.paidAt, f.timezone)}.`,
      f.periodEnd ? `Your membership is active until ${formatDate(f.periodEnd, f.timezone)}.` : 'Your membership does not expire.',
    ],
    f.accountUrl ? { label: 'See your membership and receipts', url: f.accountUrl } : undefined,
  );

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

// ---------------------------------------------------------------- events

export const formatWhen = (startsAt: string, endsAt: string, timeZone: string) => {
  const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeZone }).format(new Date(startsAt));
  const t = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone }).format(new Date(iso));
  return `${day}, ${t(startsAt)}–${t(endsAt)} (${timeZone})`;
};

export interface EventFacts {
  associationName: string;
  attendeeName: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timezone: string;
  where: string;
  eventUrl: string;
}

const whenWhere = (f: EventFacts) => [`When: ${formatWhen(f.startsAt, f.endsAt, f.timezone)}`, `Where: ${f.where}`];

/**
 * The check-in code's paragraph, followed in the HTML by its QR code: an inline image named by
 * Content-ID (`qrCid`), attached by the sender. The code stays in text for those who type it.
 */
function withCheckInQr(m: Mail, codeLine: string, code: string, qrCid?: string): Mail {
  if (!qrCid) return m;
  const para = `${escape(codeLine)}</p>`;
  const img = `<p style="margin:0 0 12px"><img src="cid:${escape(qrCid)}" width="200" height="200" alt="QR code of check-in code ${escape(code)}" style="display:block;width:200px;height:200px"></p>`;
  return { ...m, html: m.html.replace(para, `${para}${img}`) };
}

export const rsvpConfirmedMail = (f: EventFacts & { guests: number; checkInCode: string; qrCid?: string }) => {
  const codeLine = `Your check-in code: ${f.checkInCode}. Show it, or the QR code below, at the door.`;
  return withCheckInQr(
    mail(
      f.associationName,
      `You're going: ${f.title}`,
      [
        `Hello ${f.attendeeName},`,
        `You're registered for ${f.title}${f.guests ? ` with ${f.guests} guest${f.guests > 1 ? 's' : ''}` : ''}.`,
        ...whenWhere(f),
        codeLine,
        'The calendar invite is attached.',
      ],
      { label: 'See the event', url: f.eventUrl },
    ),
    codeLine,
    f.checkInCode,
    f.qrCid,
  );
};

export const waitlistedMail = (f: EventFacts & { position: number; leaveUrl: string }) =>
  mail(
    f.associationName,
    `You're on the waitlist: ${f.title}`,
    [`Hello ${f.attendeeName},`, `${f.title} is full, so you're on the waitlist at position ${f.position}. We'll email you as soon as a spot opens.`, ...whenWhere(f), `No longer interested? Leave the waitlist: ${f.leaveUrl}`],
    { label: 'See the event', url: f.eventUrl },
  );

export const promotedMail = (f: EventFacts & { checkInCode: string; qrCid?: string }) => {
  const codeLine = f.qrCid ? `Your check-in code: ${f.checkInCode}. Show it, or the QR code below, at the door.` : `Your check-in code: ${f.checkInCode}.`;
  return withCheckInQr(
    mail(
      f.associationName,
      `A spot opened up: you're going to ${f.title}`,
      [`Hello ${f.attendeeName},`, `Good news: a spot opened up and you're now registered for ${f.title}.`, ...whenWhere(f), codeLine, "If you can't make it any more, please cancel so the next person can come."],
      { label: 'See the event', url: f.eventUrl },
    ),
    codeLine,
    f.checkInCode,
    f.qrCid,
  );
};

export const eventChangedMail = (f: EventFacts & { changed: string[] }) =>
  mail(
    f.associationName,
    `Changed: ${f.title}`,
    [`Hello ${f.attendeeName},`, `The ${f.changed.join(' and ')} of ${f.title} changed. The details now are:`, ...whenWhere(f)],
    { label: 'See the event', url: f.eventUrl },
  );

export const eventCancelledMail = (f: EventFacts) =>
  mail(f.associationName, `Cancelled: ${f.title}`, [`Hello ${f.attendeeName},`, `We're sorry: ${f.title}, planned for ${formatWhen(f.startsAt, f.endsAt, f.timezone)}, has been cancelled.`]);

export const eventReminderMail = (f: EventFacts & { unsubscribeUrl: string }) =>
  mail(
    f.associationName,
    `Tomorrow: ${f.title}`,
    [`Hello ${f.attendeeName},`, `A reminder that ${f.title} is coming up.`, ...whenWhere(f), `Don't want reminders? Unsubscribe: ${f.unsubscribeUrl}`],
    { label: 'See the event', url: f.eventUrl },
  );

// ---------------------------------------------------------------- matching

export interface IntroCard {
  name: string;
  headline?: string;
  company?: string;
  jobTitle?: string;
  reasons: string[];
  introduceUrl: string;
}

/** accountUrl: "my matches" on the account page (/account#matches), where they stay after this mail. */
export const matchesMail = (f: EventFacts & { people: IntroCard[]; unsubscribeUrl: string; accountUrl?: string }) => {
  const lines = f.people.flatMap((p, i) => [
    `${i + 1}. ${p.name}${p.jobTitle || p.company ? ` — ${[p.jobTitle, p.company].filter(Boolean).join(', ')}` : ''}${p.headline ? ` (${p.headline})` : ''}`,
    ...p.reasons.map((r) => `   • ${r}`),
    `   Introduce us: ${p.introduceUrl}`,
  ]);
  const text = [
    `Hello ${f.attendeeName},`,
    `Before ${f.title} (${formatWhen(f.startsAt, f.endsAt, f.timezone)}, ${f.where}), here are the people we think you should meet:`,
    '',
    ...lines,
    '',
    'How to find each other: ask at the welcome desk, or click "Introduce us" — when both of you do, we send you one email addressed to both, and a reply-all starts the conversation.',
    '',
    ...(f.accountUrl ? [`See your matches: ${f.accountUrl}`, ''] : []),
    `Don't want these introductions? Unsubscribe: ${f.unsubscribeUrl}`,
    '',
    `— ${f.associationName}`,
  ].join('\n');
  const cards = f.people
    .map(
      (p) =>
        `<div style="border:1px solid #d0d7de;border-radius:8px;padding:12px;margin:0 0 12px"><strong>${escape(p.name)}</strong>${p.jobTitle || p.company ? `<br><span style="color:#57606a">${escape([p.jobTitle, p.company].filter(Boolean).join(', '))}</span>` : ''}${p.headline ? `<br><em>${escape(p.headline)}</em>` : ''}<ul>${p.reasons.map((r) => `<li>${escape(r)}</li>`).join('')}</ul><a href="${escape(p.introduceUrl)}">Introduce us</a></div>`,
    )
    .join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>People to meet at ${escape(f.title)}</title></head><body style="font-family:system-ui,sans-serif;color:#1b1f23;max-width:560px;margin:auto;padding:16px"><h2>${escape(f.associationName)}</h2><p>Hello ${escape(f.attendeeName)},</p><p>Before <strong>${escape(f.title)}</strong> (${escape(formatWhen(f.startsAt, f.endsAt, f.timezone))}, ${escape(f.where)}), here are the people we think you should meet:</p>${cards}<p>When both of you click "Introduce us", we send one email addressed to both of you.</p>${f.accountUrl ? `<p><a href="${escape(f.accountUrl)}" style="display:inline-block;padding:10px 16px;background:#1f6feb;color:#fff;border-radius:6px;text-decoration:none">See your matches</a></p>` : ''}<p style="color:#57606a;font-size:12px"><a href="${escape(f.unsubscribeUrl)}">Unsubscribe from introductions</a></p></body></html>`;
  return { subject: `People to meet at ${f.title}`, text, html };
};

export const introMail = (f: { associationName: string; title: string; a: { name: string; email: string }; b: { name: string; email: string }; reasons: string[] }) =>
  mail(f.associationName, `Introduction: ${f.a.name} ⟷ ${f.b.name} (${f.title})`, [
    `${f.a.name}, meet ${f.b.name}. ${f.b.name}, meet ${f.a.name}.`,
    `You both asked to be introduced at ${f.title}. Why we think you should talk: ${f.reasons.join('; ')}.`,
    `${f.a.name}: ${f.a.email} · ${f.b.name}: ${f.b.email}`,
    'Reply all to start the conversation.',
  ]);

/** The shared layout, for mails composed in other modules (domain/connection-mails.ts). */
export { mail as plainMail };

/**
 * A count with thousands separators, as `toLocaleString('en')` writes a whole number. Not
 * Intl: its first call loads the locale data, 30-70 ms of the export job's finish.
 */
export const groupedCount = (n: number) => String(Math.trunc(n)).replace(/\B(?=(\d{3})+$)/g, ',');

/** To whoever asked for a list export too long to answer at once: the file is ready. */
export const exportReadyMail = (f: { associationName: string; listName: string; rows: number; url: string; linkHours: number }) =>
  mail(
    f.associationName,
    `Your export is ready: ${f.listName}`,
    [
      `Your export of the ${f.listName} is ready: ${groupedCount(f.rows)} rows, as a CSV file that spreadsheets open.`,
      `The link works for ${f.linkHours} hours; after that, ask for the export again. The file holds personal data: keep it safe and delete it when you are done.`,
    ],
    { label: 'Download the CSV file', url: f.url },
  );
