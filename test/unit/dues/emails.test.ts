/**
 * Mail content as pure functions: money in each currency's own minor units, dates in the
 * association's time zone, a subject, a text and an HTML part for every mail, HTML that
 * escapes names, and a renewal reminder that only promises a renewal that will happen.
 */
import {
  eventCancelledMail,
  eventChangedMail,
  eventReminderMail,
  exportReadyMail,
  formatDate,
  formatMoney,
  groupedCount,
  lapsedMail,
  paymentFailedMail,
  promotedMail,
  receiptMail,
  renewalReminderMail,
  rsvpConfirmedMail,
  waitlistedMail,
  type DuesFacts,
  type EventFacts,
  type Mail,
} from '../../../functions/core/domain/emails.js';

const facts: DuesFacts = { associationName: 'Engineers of Lyon', memberName: 'Ada Member', planName: 'Yearly', timezone: 'Europe/Paris' };
const eventFacts: EventFacts = {
  associationName: 'Engineers of Lyon',
  attendeeName: 'Ada Member',
  title: 'Spring meetup',
  startsAt: '2026-04-10T16:00:00.000Z',
  endsAt: '2026-04-10T18:00:00.000Z',
  timezone: 'Europe/Paris',
  where: 'La Sucrière, Lyon',
  eventUrl: 'https://app.example.test/events/ev1',
};
const billingUrl = 'https://app.example.test/associations/assocA/billing';
const reminder = (autoRenew: boolean, viaStripe: boolean, f: DuesFacts = facts) =>
  renewalReminderMail({ ...f, daysBefore: 14, periodEnd: '2026-09-30T22:30:00.000Z', amount: 5000, currency: 'eur', autoRenew, viaStripe, billingUrl });

/** Every mail the platform sends, built from `f`/`e`. */
function allMails(f: DuesFacts, e: EventFacts): [string, Mail][] {
  return [
    ['receipt', receiptMail({ ...f, amount: 5000, currency: 'eur', paidAt: '2026-03-01T10:00:00.000Z', periodEnd: '2027-03-01T10:00:00.000Z' })],
    ['receipt (lifetime)', receiptMail({ ...f, amount: 5000, currency: 'eur', paidAt: '2026-03-01T10:00:00.000Z', periodEnd: null })],
    ['payment failed', paymentFailedMail({ ...f, amount: 5000, currency: 'eur', graceUntil: '2026-03-15T10:00:00.000Z', billingUrl })],
    ['payment failed (no grace)', paymentFailedMail({ ...f, amount: 5000, currency: 'eur', graceUntil: null, billingUrl })],
    ['renewal reminder (renews)', reminder(true, true, f)],
    ['renewal reminder (ends)', reminder(false, true, f)],
    ['renewal reminder (offline)', reminder(true, false, f)],
    ['lapsed', lapsedMail({ ...f, billingUrl })],
    ['rsvp confirmed', rsvpConfirmedMail({ ...e, guests: 2, checkInCode: 'K7P2QX' })],
    ['waitlisted', waitlistedMail({ ...e, position: 3, leaveUrl: 'https://app.example.test/events/ev1/leave' })],
    ['promoted', promotedMail({ ...e, checkInCode: 'K7P2QX' })],
    ['event changed', eventChangedMail({ ...e, changed: ['time', 'place'] })],
    ['event cancelled', eventCancelledMail(e)],
    ['event reminder', eventReminderMail({ ...e, unsubscribeUrl: 'https://app.example.test/unsubscribe?t=x' })],
  ];
}

describe('formatMoney', () => {
  it('uses two decimals for eur and usd', () => {
    expect(formatMoney(12000, 'eur')).toBe('€120.00');
    expect(formatMoney(12345, 'usd')).toBe('$123.45');
    expect(formatMoney(5, 'usd')).toBe('$0.05');
    expect(formatMoney(1234567, 'EUR')).toBe('€12,345.67');
  });

  it('uses no decimals for jpy: the amount is already in yen', () => {
    expect(formatMoney(5000, 'jpy')).toBe('¥5,000');
    expect(formatMoney(1, 'jpy')).toBe('¥1');
  });

  it('uses three decimals for bhd: the amount is in fils', () => {
    expect(formatMoney(12345, 'bhd')).toMatch(/^BHD\s12\.345$/);
    expect(formatMoney(1000, 'bhd')).toMatch(/^BHD\s1\.000$/);
  });
});

describe('formatDate', () => {
  it("shows the date in the association's time zone", () => {
    // 23:30 UTC on 31 January is already 1 February in Paris, still 31 January in New York.
    expect(formatDate('2026-01-31T23:30:00.000Z', 'Europe/Paris')).toBe('1 February 2026');
    expect(formatDate('2026-01-31T23:30:00.000Z', 'America/New_York')).toBe('31 January 2026');
  });
});

describe('every mail', () => {
  it.each(allMails(facts, eventFacts))('%s has a subject, a text and an HTML part', (_, mail) => {
    expect(mail.subject.trim()).not.toBe('');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text).toContain('Ada Member');
    expect(mail.text).not.toMatch(/<[a-z]/i);
    expect(mail.text).toContain('Engineers of Lyon');
    expect(mail.html).toMatch(/^<!doctype html><html lang="en"><head><meta charset="utf-8"><title>/);
    expect(mail.html).toContain('</html>');
    expect(mail.html).toContain('Ada Member');
    expect(mail.html).toContain('Sent on behalf of Engineers of Lyon.');
  });

  const evilAssociation = '<script>alert("assoc")</script> & Co';
  const evilMember = '<script>alert(\'member\')</script>';
  it.each(allMails({ ...facts, associationName: evilAssociation, memberName: evilMember }, { ...eventFacts, associationName: evilAssociation, attendeeName: evilMember }))(
    '%s escapes member and association names in HTML',
    (_, mail) => {
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).not.toContain('alert("assoc")');
      expect(mail.html).toContain('&lt;script&gt;alert(&quot;assoc&quot;)&lt;/script&gt; &amp; Co');
      expect(mail.html).toContain('&lt;script&gt;alert(&#39;member&#39;)&lt;/script&gt;');
      // The text part is plain text: shown as written, never interpreted.
      expect(mail.text).toContain(evilMember);
    },
  );

  it('escapes a link so it cannot break out of its attribute', () => {
    const mail = lapsedMail({ ...facts, billingUrl: 'https://app.example.test/x?a=1&b="><script>' });
    expect(mail.html).toContain('href="https://app.example.test/x?a=1&amp;b=&quot;&gt;&lt;script&gt;"');
    expect(mail.html).not.toContain('<script>');
  });
});

describe('receipt', () => {
  it('states the amount, the payment date and the paid-through date in local time', () => {
    const mail = receiptMail({ ...facts, amount: 5000, currency: 'eur', paidAt: '2026-02-28T23:30:00.000Z', periodEnd: '2027-02-28T23:30:00.000Z' });
    expect(mail.subject).toBe('Receipt: Yearly membership');
    expect(mail.text).toContain('we received €50.00 for your Yearly membership on 1 March 2026.');
    expect(mail.text).toContain('Your membership is active until 1 March 2027.');
  });

  it('says a lifetime membership does not expire', () => {
    const mail = receiptMail({ ...facts, amount: 5000, currency: 'eur', paidAt: '2026-03-01T10:00:00.000Z', periodEnd: null });
    expect(mail.text).toContain('Your membership does not expire.');
  });
});

describe('renewal reminder', () => {
  it('says "renews automatically" when auto-renew is on and the membership is paid through Stripe', () => {
    const mail = reminder(true, true);
    expect(mail.subject).toBe('Your Yearly membership renews on 1 October 2026');
    expect(mail.text).toContain('renews automatically on 1 October 2026 for €50.00');
    expect(mail.html).toContain('renews automatically');
    expect(mail.text).not.toContain('ends on');
  });

  it.each([
    ['auto-renew turned off', false, true],
    ['paid offline, auto-renew flag on', true, false],
    ['paid offline, auto-renew flag off', false, false],
  ])('says "ends on" otherwise (%s)', (_, autoRenew, viaStripe) => {
    const mail = reminder(autoRenew, viaStripe);
    expect(mail.subject).toBe('Your Yearly membership ends on 1 October 2026');
    expect(mail.text).toContain('ends on 1 October 2026');
    expect(mail.text).toContain('renew for €50.00 before then');
    expect(mail.text).not.toContain('renews automatically');
    expect(mail.html).not.toContain('renews automatically');
  });

  it('tells a Stripe member who turned auto-renew off that it will not renew by itself', () => {
    expect(reminder(false, true).text).toContain('and will not renew automatically');
    expect(reminder(false, false).text).not.toContain('will not renew automatically');
  });
});

describe('payment failed', () => {
  it('gives the end of the grace period and the billing link', () => {
    const mail = paymentFailedMail({ ...facts, amount: 5000, currency: 'eur', graceUntil: '2026-03-15T10:00:00.000Z', billingUrl });
    expect(mail.text).toContain('We could not collect €50.00');
    expect(mail.text).toContain('stays active until 15 March 2026');
    expect(mail.text).toContain(`Update your card: ${billingUrl}`);
    expect(mail.html).toContain(`href="${billingUrl}"`);
  });
});

describe('export ready', () => {
  it('groups the row count in thousands, as English does', () => {
    for (const n of [0, 7, 999, 1000, 12345, 250000, 1234567]) expect(groupedCount(n)).toBe(n.toLocaleString('en'));
    const mail = exportReadyMail({ associationName: 'Engineers of Lyon', listName: 'attendees of Spring meetup', rows: 250000, url: 'https://files.example.test/x.csv', linkHours: 12 });
    expect(mail.text).toContain('is ready: 250,000 rows');
  });
});
