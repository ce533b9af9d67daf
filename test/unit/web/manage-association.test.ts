/** The admin dashboard's pure parts: money typed on a form, and what the page shows to whom, escaped. */
import { manageAssociationPage, minorUnits, type ManageAssociationData } from '../../../functions/web/manage-association.js';
import { makeAssociation, makeMember, makePlan } from '../../support/factories.js';
import { memberView } from '../../../functions/core/services/members.js';

describe('amounts typed on a form', () => {
  it('takes whole and decimal amounts, with a point or a comma, as minor units', () => {
    expect(minorUnits('50')).toBe(5000);
    expect(minorUnits(' 50.5 ')).toBe(5050);
    expect(minorUnits('19,99')).toBe(1999);
    expect(minorUnits('0')).toBe(0);
  });
  it('refuses anything else', () => {
    for (const bad of ['', null, 'fifty', '-5', '1.234', '1e3', '5 0', '1234567890']) expect(minorUnits(bad)).toBeUndefined();
  });
});

describe('the dashboard page', () => {
  const association = makeAssociation({ name: 'Guild <of> Makers', currency: 'eur', timezone: 'Europe/Paris' });
  const base = (over: Partial<ManageAssociationData>): ManageAssociationData => ({ url: 'https://app.test/manage', user: { name: 'A', email: 'a@x.test' }, association, role: 'admin', events: [], ...over });

  it('shows unmatched ledger entries with their reason, newest first as given, everything escaped', () => {
    const member = memberView(makeMember({ associationId: association.associationId, name: '<script>x</script>', email: 'm@x.test' }));
    const payments = [
      { paymentId: 'p2', userId: member.userId, type: 'unmatched', kind: 'stripe', amount: 5000, currency: 'eur', paidAt: '2030-02-01T10:00:00Z', periodStart: '', periodEnd: null, note: null, reason: 'no such member <b>', recordedBy: 'stripe', stripe: null },
      { paymentId: 'p1', userId: member.userId, type: 'payment', kind: 'offline', amount: 2500, currency: 'eur', paidAt: '2030-01-01T10:00:00Z', periodStart: '', periodEnd: null, note: 'cash', reason: null, recordedBy: 'u', stripe: null },
    ] as any;
    const html = manageAssociationPage(base({ members: [member], plans: [makePlan({ name: 'Gold', amount: 9000, interval: 'year' })], payments, payerNames: new Map([[member.userId, member.name]]), exports: [] }));
    expect(html).not.toContain('<script>x</script>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('no such member &lt;b&gt;');
    expect(html).toContain('Guild &lt;of&gt; Makers');
    expect(html.indexOf('€50.00')).toBeLessThan(html.indexOf('€25.00'));
    expect(html).toContain('€90.00 / year');
  });

  it('gives organizers the events list only', () => {
    const html = manageAssociationPage(base({ role: 'organizer', events: [{ eventId: 'e1', title: 'AGM', startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T12:00:00Z', timezone: 'Europe/Paris' } as any] }));
    expect(html).toContain('href="/manage/events/e1"');
    expect(html).not.toContain('id="members"');
    expect(html).not.toContain('id="payments"');
  });

  it('lists recent past events under the upcoming ones, each linking to its organizer page', () => {
    const ev = (eventId: string, title: string, startsAt: string) => ({ eventId, title, startsAt, endsAt: startsAt, timezone: 'Europe/Paris' }) as any;
    const html = manageAssociationPage(base({ role: 'organizer', events: [ev('e2', 'Next AGM', '2030-06-01T10:00:00Z')], pastEvents: [ev('e1', 'Last AGM', '2029-06-01T10:00:00Z')] }));
    expect(html).toContain('Recent past events');
    expect(html.indexOf('href="/manage/events/e2"')).toBeLessThan(html.indexOf('Recent past events'));
    expect(html.indexOf('Recent past events')).toBeLessThan(html.indexOf('href="/manage/events/e1"'));
    expect(manageAssociationPage(base({ role: 'organizer' }))).not.toContain('Recent past events');
  });

  it('names who made each export, falling back to the id of someone no longer a member', () => {
    const exports = [
      { exportId: 'x1', what: 'members', subjectId: null, actorId: 'u-ada', rows: 12, format: 'csv', at: '2030-01-01T10:00:00Z' },
      { exportId: 'x2', what: 'ledger', subjectId: null, actorId: 'u-gone', rows: 3, format: 'csv', at: '2030-01-02T10:00:00Z' },
    ] as any;
    const html = manageAssociationPage(base({ members: [], plans: [], payments: [], payerNames: new Map([['u-ada', 'Ada <L>']]), exports }));
    expect(html).toContain('<td>Ada &lt;L&gt;</td>');
    expect(html).toContain('<td>u-gone</td>');
  });
});
