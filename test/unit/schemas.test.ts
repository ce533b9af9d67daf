import * as s from '../../functions/core/schemas.js';
import { fieldErrors } from '../../functions/core/http/router.js';
import * as cs from '../../functions/core/connection-schemas.js';

const paths = (result: { success: boolean; error?: any }) => (result.success ? [] : fieldErrors(result.error).map((e) => e.path));

describe('slug', () => {
  it.each(['a', 'engineers-lyon', 'a1-b2-c3', '9lives', 'a'.repeat(60)])('accepts %j', (slug) => {
    expect(s.slug.safeParse(slug).success).toBe(true);
  });

  it.each(['', '-lyon', 'lyon-', 'Lyon', 'lyon paris', 'lyon_paris', 'é', 'a'.repeat(61)])('rejects %j', (slug) => {
    expect(s.slug.safeParse(slug).success).toBe(false);
  });
});

describe('currency', () => {
  it.each(['usd', 'eur', 'jpy'])('accepts the ISO 4217 code %j', (c) => {
    expect(s.currency.safeParse(c).success).toBe(true);
  });

  it.each(['USD', 'Eur', 'us', 'euro', 'zzz', ''])('rejects %j', (c) => {
    expect(s.currency.safeParse(c).success).toBe(false);
  });
});

describe('timezone', () => {
  it.each(['Europe/Paris', 'America/New_York', 'UTC', 'Australia/Sydney'])('accepts the IANA name %j', (tz) => {
    expect(s.timezone.safeParse(tz).success).toBe(true);
  });

  // Current IANA names whose older alias is what ICU lists in Intl.supportedValuesOf
  // (Asia/Calcutta, Europe/Kiev, Asia/Saigon...): a user in India or Ukraine must be able
  // to give their zone as the tz database spells it today.
  it.each(['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh', 'Asia/Kathmandu', 'America/Nuuk', 'Etc/UTC'])(
    'accepts the current canonical IANA name %j',
    (tz) => {
      expect(s.timezone.safeParse(tz).success).toBe(true);
    },
  );

  it.each(['Mars/Olympus', 'Paris', 'Europe/Atlantis', 'not a zone', ''])('rejects %j', (tz) => {
    expect(s.timezone.safeParse(tz).success).toBe(false);
  });
});

describe('AssociationCreate', () => {
  const valid = { name: '  Engineers of Lyon ', slug: 'engineers-lyon', currency: 'eur', timezone: 'Europe/Paris' };

  it('accepts a valid body and trims the name', () => {
    const r = s.AssociationCreate.safeParse(valid);
    expect(r.success && r.data.name).toBe('Engineers of Lyon');
  });

  it('rejects fields the client does not own, naming each', () => {
    const r = s.AssociationCreate.safeParse({ ...valid, ownerCount: 5, role: 'owner' });
    expect(r.success).toBe(false);
    expect(fieldErrors(r.error!)).toEqual([
      { path: 'ownerCount', message: 'is not a known field' },
      { path: 'role', message: 'is not a known field' },
    ]);
  });

  it('names every missing field', () => {
    expect(paths(s.AssociationCreate.safeParse({})).sort()).toEqual(['currency', 'name', 'slug', 'timezone']);
  });

  it('rejects a blank name', () => {
    expect(paths(s.AssociationCreate.safeParse({ ...valid, name: '   ' }))).toEqual(['name']);
  });
});

describe('AssociationPatch', () => {
  it('needs at least one field', () => {
    expect(s.AssociationPatch.safeParse({}).success).toBe(false);
  });

  it.each([0, 90])('accepts a grace period of %d days', (d) => {
    expect(s.AssociationPatch.safeParse({ gracePeriodDays: d }).success).toBe(true);
  });

  it.each([-1, 91, 1.5])('rejects a grace period of %d days', (d) => {
    expect(s.AssociationPatch.safeParse({ gracePeriodDays: d }).success).toBe(false);
  });
});

describe('PlanCreate', () => {
  const plan = (amount: unknown) => ({ name: 'Yearly', amount, interval: 'year' });

  it.each([0, 1, 5000, 100_000_000])('accepts an amount of %d minor units', (amount) => {
    expect(s.PlanCreate.safeParse(plan(amount)).success).toBe(true);
  });

  it.each([-1, 100_000_001, 12.5, '5000', null])('rejects an amount of %j', (amount) => {
    expect(paths(s.PlanCreate.safeParse(plan(amount)))).toEqual(['amount']);
  });

  it('rejects an unknown interval', () => {
    expect(paths(s.PlanCreate.safeParse({ name: 'x', amount: 0, interval: 'week' }))).toEqual(['interval']);
  });

  it('rejects a currency: plans take the association currency', () => {
    expect(paths(s.PlanCreate.safeParse({ ...plan(100), currency: 'usd' }))).toEqual(['currency']);
  });
});

describe('MemberPatch', () => {
  it('needs a role or an offline payment', () => {
    expect(s.MemberPatch.safeParse({}).success).toBe(false);
  });

  it('rejects a status: members cannot be set active by hand', () => {
    expect(paths(s.MemberPatch.safeParse({ role: 'admin', status: 'active' }))).toEqual(['status']);
  });

  it('requires an offset on the payment time and a positive amount', () => {
    expect(s.MemberPatch.safeParse({ offlinePayment: { amount: 100, paidAt: '2026-01-01T10:00:00+01:00' } }).success).toBe(true);
    expect(paths(s.MemberPatch.safeParse({ offlinePayment: { amount: 100, paidAt: '2026-01-01 10:00' } }))).toEqual(['offlinePayment.paidAt']);
    expect(paths(s.MemberPatch.safeParse({ offlinePayment: { amount: 0, paidAt: '2026-01-01T10:00:00Z' } }))).toEqual(['offlinePayment.amount']);
  });
});

describe('ProfilePut', () => {
  it('fills defaults for everything but the name', () => {
    expect(s.ProfilePut.parse({ name: 'Ada' })).toEqual({
      name: 'Ada',
      skills: [],
      interests: [],
      offers: [],
      seeks: [],
      matchOptIn: false,
      directoryVisible: false,
      // Connections see the company, not the email, unless the person says otherwise.
      // Who we both know is shown to matches only if the person turns it on.
      connectionsSee: { email: false, company: true, network: false },
    });
  });

  it('lowercases and trims tags and the industry', () => {
    const p = s.ProfilePut.parse({ name: 'Ada', skills: ['  TypeScript '], interests: ['AI'], industry: ' Software ' });
    expect(p).toMatchObject({ skills: ['typescript'], interests: ['ai'], industry: 'software' });
  });

  it('takes offers and seeks only from the vocabulary', () => {
    expect(s.ProfilePut.safeParse({ name: 'Ada', offers: ['mentoring'], seeks: ['hiring'] }).success).toBe(true);
    expect(paths(s.ProfilePut.safeParse({ name: 'Ada', offers: ['world peace'] }))).toEqual(['offers.0']);
  });

  it('rejects unknown fields such as userId', () => {
    expect(paths(s.ProfilePut.safeParse({ name: 'Ada', userId: 'someone-else' }))).toEqual(['userId']);
  });
});

describe('queries', () => {
  it('coerces limit and bounds it to 1-200', () => {
    expect(s.PageQuery.parse({ limit: '20' })).toEqual({ limit: 20 });
    expect(s.PageQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(s.PageQuery.safeParse({ limit: '201' }).success).toBe(false);
    expect(s.PageQuery.safeParse({ limit: 'ten' }).success).toBe(false);
  });

  it('rejects unknown query parameters', () => {
    expect(paths(s.PageQuery.safeParse({ offset: '10' }))).toEqual(['offset']);
  });

  it('checks ids in paths', () => {
    expect(s.MemberParams.safeParse({ associationId: 'a1', userId: 'u_1-x' }).success).toBe(true);
    expect(s.MemberParams.safeParse({ associationId: 'a/../b', userId: 'u1' }).success).toBe(false);
    expect(s.MemberParams.safeParse({ associationId: 'a'.repeat(65), userId: 'u1' }).success).toBe(false);
  });
});

describe('connection tags', () => {
  const errorsOf = (tags: unknown) => {
    const r = cs.ConnectionPatch.safeParse({ tags });
    return r.success ? [] : fieldErrors(r.error);
  };
  it('an empty tag is only "too small", a tag with # only "must not contain #"', () => {
    expect(errorsOf([' '])).toEqual([{ path: 'tags.0', message: expect.stringContaining('>=1') }]);
    expect(errorsOf(['a#b'])).toEqual([{ path: 'tags.0', message: 'must not contain #' }]);
    expect(errorsOf([' Investor '])).toEqual([]);
  });
});
