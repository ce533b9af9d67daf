/**
 * `npm run seed`: loads a demo association into a running `npm start` through the public
 * API (so every rule applies): an owner, plans (free and paid), 30 members with varied
 * profiles (offers and seeks, so matches have reasons), members in several statuses (active,
 * pending checkout, past due after a failed renewal, cancelled), card payments on the Stripe
 * stand-in with one refunded, and events (a mixer everyone attends with matchmaking, a
 * members-only dinner, an online talk, a full workshop with a waitlist, and a past breakfast
 * with check-ins, matches, ratings and a connection made there, and one matched pair who both
 * came and have not said so yet, SEED_JSON's pastEvent.unmetPair), a lapsed member, and members
 * who joined over the past year, so both dashboards' charts have a history.
 * Each run makes a new association (a new slug) with the same people, so running it twice
 * leaves two clean sets. API_URL picks the server (default http://127.0.0.1:3000);
 * SEED_JSON=<file> also writes the printed URLs and sign-in emails there as JSON.
 */
import { writeFileSync } from 'node:fs';
import { moveIntoPast } from './seed/past.js';
import { breakfastEvent, dayAt, membersDinnerEvent, mixerEvent, onlineTalkEvent, workshopEvent } from './seed/events.js';

const API = process.env.API_URL ?? 'http://127.0.0.1:3000';

async function call(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(path.startsWith('http') ? path : `${API}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const signIn = async (email: string, name: string) => (await call('POST', '/dev/token', undefined, { email, name })) as { token: string; userId: string };

// A deterministic pseudo-random generator, so every seed run builds the same club.
let state = 42;
const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[], n: number) => [...xs].sort(() => rand() - 0.5).slice(0, n);

const firstNames = ['Ada', 'Ben', 'Chloé', 'Dev', 'Elena', 'Femi', 'Grace', 'Hiro', 'Inès', 'Jonas', 'Kofi', 'Lena', 'Marco', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Uma', 'Victor', 'Wen', 'Xavier', 'Yara', 'Zoé', 'Aaron', 'Bea', 'Carlos', 'Dana'];
const lastNames = ['Lovelace', 'Okafor', 'Martin', 'Patel', 'Rossi', 'Adeyemi', 'Hopper', 'Tanaka', 'Dubois', 'Berg', 'Mensah', 'Schulz', 'Bianchi', 'Haddad', 'Farouk', 'Iyer', 'Kim', 'García', 'Nieminen', 'Singh'];
const companies = ['Heliotrope Energy', 'GridWise', 'Carbon Ledger', 'Verdant Capital', 'Tidal Labs', 'Open Soil', 'Northwind Mobility', 'Bright Roofs'];
const industries = ['energy', 'finance', 'agriculture', 'mobility', 'software', 'construction'];
const interests = ['solar', 'batteries', 'carbon markets', 'regenerative farming', 'ev charging', 'heat pumps', 'policy', 'climate finance', 'hydrogen', 'circular economy', 'grid software', 'biochar'];
const skills = ['product management', 'python', 'sales', 'fundraising', 'policy analysis', 'data science', 'hardware', 'marketing', 'operations', 'law'];
const titles = ['Founder', 'CTO', 'Engineer', 'Analyst', 'Investor', 'Product Manager', 'Head of Sales', 'Researcher'];
const intents = ['mentoring', 'hiring', 'job', 'investment', 'cofounder', 'customers', 'partnership', 'advice', 'speaking'] as const;

async function main() {
  const owner = await signIn('owner@demo.local', 'Olivia Owner');
  const slug = `climate-tech-club-${Date.now().toString(36)}`;
  const assoc = await call('POST', '/associations', owner.token, {
    name: 'Climate Tech Club',
    slug,
    currency: 'eur',
    timezone: 'Europe/Paris',
    description: 'Founders, engineers and investors working on climate, meeting monthly in Paris.',
  });
  const id = assoc.associationId as string;
  const free = await call('POST', `/associations/${id}/plans`, owner.token, { name: 'Community', amount: 0, interval: 'year', description: 'Events and the newsletter.' });
  const pro = await call('POST', `/associations/${id}/plans`, owner.token, { name: 'Professional', amount: 12000, interval: 'year', benefits: ['Member directory', 'Matchmaking at every event', 'Workshops'] });
  await call('POST', `/associations/${id}/plans`, owner.token, { name: 'Supporter (monthly)', amount: 1500, interval: 'month' });

  // Connect Stripe (locally the stand-in: its onboarding page has one form) so paid plans can be joined.
  const { url: onboarding } = await call('POST', `/associations/${id}/stripe/connect`, owner.token);
  const done = new URL(onboarding);
  const stripeOrigin = done.origin;
  const stripeAccount = /\/connect\/([^/]+)$/.exec(done.pathname)?.[1];
  done.pathname += '/complete';
  await fetch(done, { method: 'POST', redirect: 'manual' });
  for (let i = 0; i < 50 && !(await call('GET', `/associations/${id}`)).acceptsCardPayments; i++) await new Promise((r) => setTimeout(r, 100));

  const people: { name: string; email: string; token: string; userId: string }[] = [];
  for (let i = 0; i < 30; i++) {
    const name = `${firstNames[i % firstNames.length]} ${lastNames[(i * 7) % lastNames.length]}`;
    const email = `${name.toLowerCase().normalize('NFD').replace(/[^a-z ]/g, '').replace(' ', '.')}@demo.local`;
    const u = await signIn(email, name);
    await call('PUT', '/me/profile', u.token, {
      name,
      headline: `${pick(titles, 1)[0]} working on ${pick(interests, 1)[0]}`,
      company: companies[i % companies.length],
      jobTitle: pick(titles, 1)[0],
      industry: pick(industries, 1)[0],
      skills: pick(skills, 2 + Math.floor(rand() * 3)),
      interests: pick(interests, 2 + Math.floor(rand() * 3)),
      offers: pick(intents, 1 + Math.floor(rand() * 2)),
      seeks: pick(intents, 1 + Math.floor(rand() * 2)),
      matchOptIn: rand() < 0.85,
      directoryVisible: rand() < 0.8,
    });
    const plan = i % 3 === 0 ? pro : free;
    await call('POST', `/associations/${id}/members`, u.token, { planId: plan.planId });
    if (plan === pro && i % 2 === 0) {
      // Some paid by bank transfer: the admin records it, which activates them.
      await call('PATCH', `/associations/${id}/members/${u.userId}`, owner.token, {
        // Paid at intervals over the past year, so the dues chart has months and one renews within 30 days.
        offlinePayment: { amount: 12000, paidAt: new Date(Date.now() - (10 + (i / 6) * 83) * 86_400_000).toISOString(), note: 'Bank transfer' },
      });
    }
    people.push({ name, email, ...u });
  }
  await call('PATCH', `/associations/${id}/members/${people[1]!.userId}`, owner.token, { role: 'organizer' });
  await call('PATCH', `/associations/${id}/members/${people[2]!.userId}`, owner.token, { role: 'admin' });

  // Card payments on the Stripe stand-in and members in the other statuses, so the dashboard's
  // filters, ledger and charts have something to show.
  const waitUntil = async <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean) => {
    let v: T | undefined;
    for (let i = 0; i < 150; i++) {
      v = await read();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 800)}`);
  };
  const memberOf = (userId: string) => call('GET', `/associations/${id}/members/${userId}`, owner.token);
  const stripeApi = async (path: string, params: Record<string, string>) => {
    const res = await fetch(`${stripeOrigin}${path}`, { method: 'POST', headers: { authorization: 'Bearer sk_test_local_standin', 'stripe-account': stripeAccount ?? '', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
    if (!res.ok) throw new Error(`Stripe stand-in ${path} → ${res.status} ${await res.text()}`);
    return res.json();
  };
  const cardPayers: { name: string; email: string; token: string; userId: string; subscription?: string }[] = [];
  for (const [name, email] of [['Paula Payer', 'paula.payer@demo.local'], ['Rae Refunded', 'rae.refunded@demo.local'], ['Dario Due', 'dario.due@demo.local'], ['Pia Pending', 'pia.pending@demo.local'], ['Carl Cancelled', 'carl.cancelled@demo.local']] as const) {
    const u = await signIn(email, name);
    await call('PUT', '/me/profile', u.token, { name, headline: 'Member', offers: ['advice'], seeks: ['customers'], matchOptIn: true, directoryVisible: true });
    cardPayers.push({ name, email, ...u });
  }
  const [paula, rae, dario, pia, carl] = cardPayers as [typeof cardPayers[number], typeof cardPayers[number], typeof cardPayers[number], typeof cardPayers[number], typeof cardPayers[number]];
  for (const p of [paula, rae, dario]) {
    const joined = await call('POST', `/associations/${id}/members`, p.token, { planId: pro.planId });
    const paid = await fetch(`${joined.checkoutUrl}/pay`, { method: 'POST', headers: { accept: 'application/json' } });
    if (!paid.ok) throw new Error(`checkout payment failed: ${paid.status} ${await paid.text()}`);
    p.subscription = ((await paid.json()) as { subscription?: string }).subscription;
    await waitUntil(`${p.email} active`, () => memberOf(p.userId), (m) => m.status === 'active');
  }
  // Rae's payment is refunded in full (as the treasurer would from Stripe's dashboard).
  const raePayment = await waitUntil('Rae’s payment in the ledger', async () => ((await call('GET', `/associations/${id}/payments?userId=${rae.userId}`, owner.token)).items ?? []) as any[], (l) => l.some((p) => p.stripe?.invoiceId));
  // The ledger keeps the invoice; Stripe links it to its payment intent through invoice payments.
  const invoicePayments = await fetch(`${stripeOrigin}/v1/invoice_payments?invoice=${encodeURIComponent(raePayment.find((p) => p.stripe?.invoiceId)!.stripe.invoiceId)}`, { headers: { authorization: 'Bearer sk_test_local_standin', 'stripe-account': stripeAccount ?? '' } });
  const paymentIntent = ((await invoicePayments.json()) as { data?: { payment?: { payment_intent?: string } }[] }).data?.[0]?.payment?.payment_intent;
  if (!paymentIntent) throw new Error('no payment intent for Rae’s invoice on the Stripe stand-in');
  await stripeApi('/v1/refunds', { payment_intent: paymentIntent });
  await waitUntil('the refund in the ledger', async () => ((await call('GET', `/associations/${id}/payments?userId=${rae.userId}`, owner.token)).items ?? []) as any[], (l) => l.some((p) => p.type === 'refund'));
  // Dario's renewal fails: past due.
  if (dario.subscription) {
    const renewed = await fetch(`${stripeOrigin}/subscriptions/${dario.subscription}/renew?outcome=failed`, { method: 'POST', headers: { accept: 'application/json' } });
    if (renewed.ok) await waitUntil('Dario past due', () => memberOf(dario.userId), (m) => m.status === 'past_due').catch(() => undefined);
  }
  // Pia starts a paid checkout and never pays: pending. Carl joins and leaves: cancelled.
  await call('POST', `/associations/${id}/members`, pia.token, { planId: pro.planId });
  await call('POST', `/associations/${id}/members`, carl.token, { planId: free.planId });
  await call('DELETE', `/associations/${id}/members/${carl.userId}`, carl.token);

  // A meetup next week that everyone attends, with matchmaking on: preview and send it by hand.
  const now = new Date();
  const event = await call('POST', `/associations/${id}/events`, owner.token, mixerEvent(now, { matchmaking: { enabled: true, matchesPerAttendee: 3 } }));
  for (const p of people) {
    await call('PUT', `/events/${event.eventId}/rsvp`, p.token, { status: 'going', answers: { topic: 'Meeting people' } });
  }

  // More to look at on the web pages: a members-only evening, an online talk, and a small
  // workshop that is full with people waiting.
  const day = (n: number, hour: number) => dayAt(now, n, hour);
  const membersOnly = await call('POST', `/associations/${id}/events`, owner.token, membersDinnerEvent(now));
  const online = await call('POST', `/associations/${id}/events`, owner.token, onlineTalkEvent(now));
  const workshop = await call('POST', `/associations/${id}/events`, owner.token, workshopEvent(now));
  for (const p of people.slice(0, 7)) await call('PUT', `/events/${workshop.eventId}/rsvp`, p.token, { status: 'going' });
  for (const p of people.slice(5, 12)) await call('PUT', `/events/${online.eventId}/rsvp`, p.token, { status: 'going' });

  // A lapsed member: paid by bank transfer fourteen months ago and never again, so the paid
  // period and its grace have ended; the daily job (run now) lapses the membership.
  const luca = { email: 'luca.lapsed@demo.local', ...(await signIn('luca.lapsed@demo.local', 'Luca Lapsed')) };
  await call('PUT', '/me/profile', luca.token, { name: 'Luca Lapsed', headline: 'Member', matchOptIn: false, directoryVisible: true });
  await call('POST', `/associations/${id}/members`, luca.token, { planId: pro.planId });
  await call('PATCH', `/associations/${id}/members/${luca.userId}`, owner.token, { offlinePayment: { amount: 12000, paidAt: new Date(Date.now() - 425 * 86_400_000).toISOString(), note: 'Bank transfer' } });
  await call('POST', '/dev/jobs/daily', undefined, {});
  await waitUntil('Luca lapsed', () => memberOf(luca.userId), (m) => m.status === 'lapsed');

  // A past event as it looks the week after: people went, were matched, rated their matches
  // and were checked in at the door. The API refuses events that start in the past, so it is
  // created for tomorrow, run through the API, then moved back with direct DynamoDB Local
  // writes (past.ts), and its counters rebuilt from its items.
  const past = await call('POST', `/associations/${id}/events`, owner.token, breakfastEvent(now));
  const attendees = people.slice(0, 20);
  for (const p of attendees) await call('PUT', `/events/${past.eventId}/rsvp`, p.token, { status: 'going' });
  await call('POST', `/events/${past.eventId}/matches/send`, owner.token);
  // Most came; a few did not show up.
  const cameIn = attendees.filter((_, i) => i % 5 !== 4);
  for (const p of cameIn) await call('POST', `/events/${past.eventId}/check-in`, owner.token, { userId: p.userId });
  // One matched pair who both came is left without feedback, for the connections journey
  // (test/browser/network-seed-journey.test.ts): they say they met, get the follow-up mail and
  // connect, as people do after an event. Not the demo member (whose account shows a saved
  // rating) nor Ada and Ben (connected below). Picked from the matches, so it holds whatever
  // the matching chose, and on a second run (where an earlier run's pair is connected already).
  type MyMatch = { matchId: string; person: { userId: string } };
  const keep = new Set([people[0]!.userId, people[4]!.userId]);
  let unmet: { matchId: string; pair: [(typeof people)[number], (typeof people)[number]] } | undefined;
  for (const p of cameIn.filter((c) => !keep.has(c.userId))) {
    const mine = (await call('GET', `/events/${past.eventId}/matches/me`, p.token)).items as MyMatch[];
    const m = mine.find((x) => cameIn.some((c) => c.userId === x.person.userId && !keep.has(c.userId)));
    if (m) {
      unmet = { matchId: m.matchId, pair: [p, cameIn.find((c) => c.userId === m.person.userId)!] };
      break;
    }
  }
  // Feedback on their first match from most of them; the demo member leaves their others open,
  // so /account#matches shows both a saved rating and a form to fill in.
  let rated = 0;
  for (const [i, p] of attendees.entries()) {
    if (i % 4 === 3) continue;
    const mine = (await call('GET', `/events/${past.eventId}/matches/me`, p.token)).items as { matchId: string }[];
    if (!mine[0] || mine[0].matchId === unmet?.matchId) continue;
    await call('POST', `/events/${past.eventId}/matches/${mine[0].matchId}/feedback`, p.token, { rating: 2 + (i % 4), met: i % 3 !== 2 });
    rated++;
  }
  // Two members who met there connected, so /account/network is not empty.
  const [ada, ben] = [people[0]!, people[4]!];
  // The same people in every run: on a second run they are connected already (409), which is fine.
  const ask = await call('POST', `/associations/${id}/connections`, ada.token, { userId: ben.userId, note: 'Great to meet you at the breakfast.', eventId: past.eventId }).catch((err: Error) => {
    if (/ → 409 /.test(err.message)) return { state: 'accepted' };
    throw err;
  });
  if (ask.state !== 'accepted') await call('POST', `/me/connections/${ask.connectionId}/accept`, ben.token);
  await moveIntoPast(API, { associationId: id, eventId: past.eventId, startsAt: day(-6, 7).toISOString(), endsAt: day(-6, 9).toISOString(), joined: people.map((p) => p.userId), checkedIn: cameIn.length }, owner.token);

  const statuses: Record<string, number> = {};
  for (const p of [...people, ...cardPayers, luca]) {
    const m = await call('GET', `/associations/${id}/members/${p.userId}`, owner.token).catch(() => null);
    if (m) statuses[m.status] = (statuses[m.status] ?? 0) + 1;
  }
  const organizer = people[1]!;
  const admin = people[2]!;
  const member = people[0]!;
  // What to open, and as whom (sign in at /sign-in with the email; any name).
  const urls: { url: string; what: string; as: string | null }[] = [
    { url: `${API}/a/${slug}`, what: 'the association page', as: null },
    { url: `${API}/e/${event.eventId}`, what: 'the mixer (matchmaking on)', as: null },
    { url: `${API}/e/${workshop.eventId}`, what: 'a full workshop with a waitlist', as: null },
    { url: `${API}/e/${online.eventId}`, what: 'an online talk', as: null },
    { url: `${API}/e/${membersOnly.eventId}`, what: 'members only (details after sign-in)', as: member.email },
    { url: `${API}/account`, what: 'a member’s account, memberships and events', as: member.email },
    { url: `${API}/account#matches`, what: 'matches with reasons, “introduce us” and feedback', as: member.email },
    { url: `${API}/account/network`, what: 'a member’s network (one connection)', as: member.email },
    { url: `${API}/manage/associations/${id}`, what: 'the admin dashboard', as: admin.email },
    { url: `${API}/manage/events/${event.eventId}`, what: 'the organizer’s event page (check-in, exports, matches)', as: organizer.email },
    { url: `${API}/manage/events/${workshop.eventId}`, what: 'the organizer’s view of the full workshop', as: organizer.email },
    { url: `${API}/manage/events/${past.eventId}`, what: 'a past event: check-ins, match ratings and feedback', as: organizer.email },
    { url: `${API}/e/${past.eventId}`, what: 'a past event’s page', as: null },
  ];
  const width = Math.max(...urls.map((u) => u.url.length));
  console.log(`Seeded "${assoc.name}" (${id}) at ${API}

Open (sign in at ${API}/sign-in with the email shown; no password locally):
${urls.map((u) => `  ${u.url.padEnd(width)}  ${u.what}${u.as ? `  [as ${u.as}]` : ''}`).join('\n')}

Sign in as:
  owner:     owner@demo.local
  admin:     ${admin.email}
  organizer: ${organizer.email}
  member:    ${member.email}${unmet ? `\nMet at the breakfast, not yet said so (say it on /account#matches, then run the daily job for the follow-up mail): ${unmet.pair.map((p) => p.email).join(', ')}` : ''}
Members by status: ${Object.entries(statuses).map(([k, v]) => `${k} ${v}`).join(', ')}
Plans: Community (free), Professional (€120/yr), Supporter (€15/mo); card payments by ${paula.email}, ${rae.email} (refunded), ${dario.email} (renewal failed); lapsed: ${luca.email}

API:
  export TOKEN=${owner.token}
  curl -s ${API}/associations/${id}/members -H "authorization: Bearer $TOKEN"
  curl -s -XPOST ${API}/events/${event.eventId}/matches/preview -H "authorization: Bearer $TOKEN"
  then read mails in the mail viewer, or: curl -s '${API}/dev/emails?to=${member.email}'`);
  if (process.env.SEED_JSON) {
    writeFileSync(process.env.SEED_JSON, JSON.stringify({ associationId: id, slug, events: { mixer: event.eventId, past: past.eventId, workshop: workshop.eventId, online: online.eventId, membersOnly: membersOnly.eventId }, pastEvent: { attendees: attendees.length, checkedIn: cameIn.length, rated, unmetPair: unmet ? unmet.pair.map((p) => ({ email: p.email, name: p.name })) : [] }, urls, emails: { owner: 'owner@demo.local', admin: admin.email, organizer: organizer.email, member: member.email }, statuses }, null, 2));
  }
}

main().catch((err) => {
  console.error(err instanceof TypeError && String(err.cause).includes('ECONNREFUSED') ? `No server at ${API}: run \`npm start\` first.` : err);
  process.exit(1);
});
