/**
 * The admin dashboard /manage/associations/{id} over HTTP on the local stack, as a browser
 * without JavaScript uses it: access per role (the API's admin rule), search, role change,
 * offline payments (good and bad input, nothing stored when refused), plans, the members
 * CSV (strict parse) and the export log that records it.
 */
import { parse } from 'csv-parse/sync';
import { call, signIn } from '../support/http.js';
import { buildAssociation, createAssociation, createPlan, expectStatus, join, type AssociationFixture, type User } from '../support/fixtures.js';
import { Visitor, textOf } from '../support/web.js';

let fx: AssociationFixture;
beforeAll(async () => {
  fx = await buildAssociation({ stripe: true });
});

const manage = () => `/manage/associations/${fx.associationId}`;
/** The session cookie is the local issuer's ID token, the same as the API's bearer token. */
function visitorAs(u: User) {
  const v = new Visitor();
  v.jar.set('session', u.token);
  return v;
}
const member = async (userId: string) => expectStatus(await call('GET', `/associations/${fx.associationId}/members/${userId}`, { token: fx.admin.token }), 200, 'member').body;
const ledger = async () => expectStatus(await call('GET', `/associations/${fx.associationId}/payments`, { token: fx.admin.token }), 200, 'payments').body.items as any[];

describe('access to the admin dashboard', () => {
  it('signed out goes to sign-in and comes back here', async () => {
    const page = await new Visitor().get(manage());
    expect(page.status).toBe(303);
    expect(page.location).toBe(`/sign-in?next=${encodeURIComponent(manage())}`);
  });

  it('admins and owners see every section; organizers the events only; members and the admin of another association get 403', async () => {
    for (const u of [fx.owner, fx.admin]) {
      const page = await visitorAs(u).get(manage());
      expect(page.status).toBe(200);
      const text = textOf(page.html);
      for (const t of ['Members', 'Plans', 'Payments ledger', 'Stripe', 'Export log', 'Upcoming events']) expect(text).toContain(t);
    }
    const org = await visitorAs(fx.organizer).get(manage());
    expect(org.status).toBe(200);
    expect(textOf(org.html)).toContain('Upcoming events');
    expect(textOf(org.html)).not.toContain('Payments ledger');
    expect(org.html).not.toContain(fx.member.email);

    const plain = await visitorAs(fx.member).get(manage());
    expect(plain.status).toBe(403);
    expect(textOf(plain.html)).toContain('Not allowed');

    const otherOwner = await signIn('elsewhere');
    await createAssociation(otherOwner);
    const foreign = await visitorAs(otherOwner).get(manage());
    expect(foreign.status).toBe(403);
    expect(foreign.html).not.toContain(fx.member.email);
    // Posts and downloads follow the same rule.
    expect((await visitorAs(otherOwner).post(`${manage()}/members/${fx.member.userId}/role`, { role: 'admin' })).status).toBe(403);
    expect((await visitorAs(fx.organizer).get(`${manage()}/members.csv`)).status).toBe(403);
    expect((await member(fx.member.userId)).role).toBe('member');
  });
});

describe('members', () => {
  it('searches by name and filters by plan', async () => {
    const u = await signIn('searchable', 'Zelda Searchable');
    await join(u, fx.associationId, fx.freePlanId);
    const v = visitorAs(fx.admin);
    const found = await v.get(`${manage()}?q=zelda`);
    expect(found.status).toBe(200);
    expect(found.html).toContain(u.email);
    expect(found.html).not.toContain(fx.member.email);
    const byPlan = await v.get(`${manage()}?planId=${fx.paidPlanId}`);
    expect(byPlan.html).not.toContain(u.email);
    const bad = await v.get(`${manage()}?status=sleeping`);
    expect(bad.status).toBe(400);
    expect(textOf(bad.html)).toContain('Status');
  });

  it('pages through more members than fit on one page with the cursor link', async () => {
    const a = await createAssociation(fx.owner);
    const plan = await createPlan(fx.owner.token, a.associationId, { name: 'Free' });
    const people = await Promise.all(Array.from({ length: 27 }, (_, i) => signIn(`pager${i}`, `Pager ${i}`)));
    await Promise.all(people.map((p) => join(p, a.associationId, plan.planId)));
    const v = visitorAs(fx.owner);
    const seen = new Set<string>();
    let url: string | undefined = `/manage/associations/${a.associationId}`;
    let pages = 0;
    while (url) {
      const page = await v.get(url);
      expect(page.status).toBe(200);
      for (const p of people) if (page.html.includes(p.email)) seen.add(p.email);
      const next = /<a href="([^"]+)">Next page of members<\/a>/.exec(page.html)?.[1];
      url = next?.replace(/&amp;/g, '&');
      pages++;
    }
    expect(pages).toBe(2);
    expect(seen.size).toBe(27);
  });

  it('changes a role from the row', async () => {
    const u = await signIn('promoted');
    await join(u, fx.associationId, fx.freePlanId);
    const res = await visitorAs(fx.admin).post(`${manage()}/members/${u.userId}/role`, { role: 'organizer' });
    expect(res.status).toBe(303);
    expect((await member(u.userId)).role).toBe('organizer');
    // An admin may not make an owner: refused on the page, nothing changed.
    const refused = await visitorAs(fx.admin).post(`${manage()}/members/${u.userId}/role`, { role: 'owner' });
    expect(refused.status).toBe(403);
    expect(textOf(refused.html)).toContain('Only an owner may grant or change the admin and owner roles.');
    expect(refused.html).toContain(`id="member-${u.userId}"`);
    expect((await member(u.userId)).role).toBe('organizer');
  });

  it('records an offline payment; bad input is named on the page and nothing is stored', async () => {
    const u = await signIn('payer', 'Olga Offline');
    await join(u, fx.associationId, fx.paidPlanId);
    const v = visitorAs(fx.admin);
    const before = (await ledger()).length;

    const bad = await v.post(`${manage()}/members/${u.userId}/payment`, { amount: 'fifty', paidAt: '', note: 'cash' });
    expect(bad.status).toBe(400);
    const text = textOf(bad.html);
    expect(text).toContain('There is a problem');
    expect(text).toContain('Amount must be an amount');
    expect(text).toContain('Paid on must be a date');
    expect(bad.html).toContain('value="cash"');
    const future = await v.post(`${manage()}/members/${u.userId}/payment`, { amount: '50', paidAt: '2999-01-01' });
    expect(future.status).toBe(422);
    expect(textOf(future.html)).toContain('Paid on');
    expect((await ledger()).length).toBe(before);
    expect((await member(u.userId)).status).toBe('pending');

    const today = new Date().toISOString().slice(0, 10);
    const ok = await v.post(`${manage()}/members/${u.userId}/payment`, { amount: '50.00', paidAt: today, note: 'Paid at the door' });
    expect(ok.status).toBe(303);
    expect((await member(u.userId)).status).toBe('active');
    const entry = (await ledger()).find((p) => p.userId === u.userId);
    expect(entry).toMatchObject({ kind: 'offline', amount: 5000, note: 'Paid at the door' });
    const shown = await v.follow(ok);
    expect(textOf(shown.html)).toContain('The payment is recorded');
    expect(textOf(shown.html)).toContain('Paid at the door');
  });

  it('removes a member only after the confirmation step', async () => {
    const u = await signIn('removed');
    await join(u, fx.associationId, fx.freePlanId);
    const v = visitorAs(fx.admin);
    const ask = await v.post(`${manage()}/members/${u.userId}/remove`, {});
    expect(ask.status).toBe(200);
    expect(ask.html).toContain('name="confirm" value="remove"');
    expect((await member(u.userId)).status).not.toBe('cancelled');
    const done = await v.post(`${manage()}/members/${u.userId}/remove`, { confirm: 'remove' });
    expect(done.status).toBe(303);
    expect((await member(u.userId)).status).toBe('cancelled');
  });
});

describe('Stripe', () => {
  it('shows the connect status, and the connect button to owners only, which leads to onboarding', async () => {
    const a = await createAssociation(fx.owner);
    const path = `/manage/associations/${a.associationId}`;
    const page = await visitorAs(fx.owner).get(path);
    expect(textOf(page.html)).toContain('Connected No Charges enabled No');
    expect(page.html).toContain(`action="${path}/stripe-connect"`);
    const go = await visitorAs(fx.owner).post(`${path}/stripe-connect`, {});
    expect(go.status).toBe(303);
    expect(go.location).toMatch(/\/connect\/acct_/);
    const after = await visitorAs(fx.owner).get(path);
    expect(textOf(after.html)).toContain('Connected Yes Charges enabled No');

    // On the connected fixture, an admin sees the status and no button; posting is refused (owner only).
    const adminView = await visitorAs(fx.admin).get(manage());
    expect(textOf(adminView.html)).toContain('Connected Yes Charges enabled Yes');
    expect(adminView.html).not.toContain('stripe-connect');
    expect((await visitorAs(fx.admin).post(`${manage()}/stripe-connect`, {})).status).toBe(403);
  });
});

describe('plans', () => {
  it('creates and archives a plan; a bad plan is named on the page and not stored', async () => {
    const v = visitorAs(fx.admin);
    const plansOf = async () => expectStatus(await call('GET', `/associations/${fx.associationId}/plans`), 200, 'plans').body.items as any[];
    const name = `Student ${Date.now()}`;
    const bad = await v.post(`${manage()}/plans`, { name: '', amount: 'abc', interval: 'year' });
    expect(bad.status).toBe(400);
    expect(textOf(bad.html)).toContain('Plan name');
    expect(textOf(bad.html)).toContain('Price must be an amount');
    const ok = await v.post(`${manage()}/plans`, { name, amount: '25', interval: 'month' });
    expect(ok.status).toBe(303);
    const plan = (await plansOf()).find((p) => p.name === name);
    expect(plan).toMatchObject({ amount: 2500, interval: 'month' });
    const page = await v.get(manage());
    expect(textOf(page.html)).toContain(name);
    const archived = await v.post(`${manage()}/plans/${plan.planId}/archive`, {});
    expect(archived.status).toBe(303);
    expect((await plansOf()).some((p) => p.planId === plan.planId)).toBe(false);
  });
});

describe('exports', () => {
  it('downloads the members CSV, which parses strictly, and the export appears in the log', async () => {
    const v = visitorAs(fx.admin);
    const res = await v.get(`${manage()}/members.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=".+-members\.csv"/);
    const rows = parse(res.html.replace(/^\uFEFF/, ''), { columns: true, strict: true, skip_empty_lines: true } as any) as Record<string, string>[];
    expect(rows.map((r) => r.email)).toEqual(expect.arrayContaining([fx.member.email, fx.admin.email]));
    const log = expectStatus(await call('GET', `/associations/${fx.associationId}/exports`, { token: fx.admin.token }), 200, 'exports').body.items as any[];
    expect(log[0]).toMatchObject({ what: 'members', actorId: fx.admin.userId, rows: rows.length });
    const page = await v.get(manage());
    expect(page.html).toMatch(/<td>members<\/td><td class="num">\d+<\/td>/);

    const ledgerCsv = await v.get(`${manage()}/payments.csv`);
    expect(ledgerCsv.status).toBe(200);
    expect(() => parse(ledgerCsv.html.replace(/^\uFEFF/, ''), { columns: true, strict: true } as any)).not.toThrow();
  });
});
