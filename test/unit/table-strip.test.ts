import { strip } from '../../functions/core/data/table.js';

describe('strip', () => {
  it('drops the key and bookkeeping attributes and keeps the rest, in order', () => {
    const item = { pk: 'EVENT#e1', sk: 'RSVP#u1', gsi1pk: 'USER#u1', gsi1sk: 'EV#2026', entity: 'rsvp', userId: 'u1', name: 'Ada', nameLower: 'ada', email: 'a@x.test', emailLower: 'a@x.test', checkedInAt: null, answers: { q1: 'yes' } };
    const out = strip<Record<string, unknown>>(item)!;
    expect(Object.keys(out)).toEqual(['userId', 'name', 'email', 'checkedInAt', 'answers']);
    expect(out.answers).toBe(item.answers);
    expect(item.pk).toBe('EVENT#e1');
    expect(strip(undefined)).toBeUndefined();
  });
});
