/**
 * Signed links in emails (unsubscribe, leave the waitlist, introduce us): the payload says
 * what the link may do and for whom, an HMAC makes it unforgeable. No sign-in needed to use one.
 *
 * The key is the links' own (never the cursor key), kept in Secrets Manager as JSON
 * {"kid","key","previousKid"?,"previousKey"?}: links are signed with the current key and
 * verified with whichever key their kid names, so after a rotation links already mailed keep
 * working until the previous key is dropped (docs/deploy.md). A token is `kid.payload.mac`.
 * Links that change anything other than mail preferences expire (`exp` in the payload).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpProblem, badRequest } from '../errors.js';
import { readSecretString } from '../secrets.js';

export interface LinkKeys {
  current: { kid: string; key: string };
  /** Every key a link may be verified with, by kid: the current one and the previous one. */
  byKid: Map<string, string>;
}

/** How long a link for each purpose stays valid; purposes not listed never expire (unsubscribe must keep working). */
export const LINK_TTL_SECONDS: Readonly<Record<string, number>> = {
  'leave-waitlist': 30 * 86_400,
  introduce: 30 * 86_400,
  // The follow-up offer to connect after an event (services/followups.ts).
  connect: 30 * 86_400,
};

const KID = /^[A-Za-z0-9_-]{1,40}$/;

/** Reads the secret's JSON; refuses a shape that would sign with an empty or unnamed key. */
export function parseLinkKeys(json: string): LinkKeys {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('The link secret must be JSON {"kid","key","previousKid"?,"previousKey"?}');
  }
  const pair = (kid: unknown, key: unknown, what: string) => {
    if (typeof kid !== 'string' || !KID.test(kid)) throw new Error(`The link secret's ${what} kid must be 1-40 letters, digits, - or _`);
    if (typeof key !== 'string' || key.length < 32) throw new Error(`The link secret's ${what} key must be at least 32 characters`);
    return { kid, key };
  };
  const current = pair(raw.kid, raw.key, 'current');
  const byKid = new Map([[current.kid, current.key]]);
  if (raw.previousKid !== undefined || raw.previousKey !== undefined) {
    const previous = pair(raw.previousKid, raw.previousKey, 'previous');
    if (previous.kid === current.kid) throw new Error('The link secret\'s previous kid must differ from the current one');
    byKid.set(previous.kid, previous.key);
  }
  return { current, byKid };
}

/** LINK_SECRET_ARN in AWS; locally LINK_SECRETS (the same JSON) or LINK_SECRET (one key, kid "local"). */
export async function loadLinkKeys(env: Record<string, string | undefined> = process.env): Promise<LinkKeys> {
  if (env.LINK_SECRET_ARN) return parseLinkKeys(await readSecretString(env.LINK_SECRET_ARN));
  if (env.LINK_SECRETS) return parseLinkKeys(env.LINK_SECRETS);
  if (env.LINK_SECRET) return parseLinkKeys(JSON.stringify({ kid: 'local', key: env.LINK_SECRET }));
  throw new Error('Missing LINK_SECRET_ARN (or LINK_SECRETS / LINK_SECRET in local mode)');
}

const mac = (key: string, purpose: string, signed: string) => createHmac('sha256', key).update(`link:${purpose}:${signed}`).digest('base64url');

/** Signing and reading with a given set of keys; synchronous once the keys are loaded. */
export function links(keys: LinkKeys) {
  return {
    /** `now` is required for purposes whose links expire. */
    sign(purpose: string, data: Record<string, string>, now?: Date): string {
      if ('exp' in data) throw new Error('"exp" is reserved in link data');
      const ttl = LINK_TTL_SECONDS[purpose];
      if (ttl !== undefined && !now) throw new Error(`A ${purpose} link expires: pass now`);
      const body = ttl !== undefined ? { ...data, exp: Math.floor(now!.getTime() / 1000) + ttl } : data;
      const signed = `${keys.current.kid}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
      return `${signed}.${mac(keys.current.key, purpose, signed)}`;
    },

    read(purpose: string, token: string, now: Date): Record<string, string> {
      const invalid = () => badRequest('This link is not valid.', [{ path: 'token', message: 'is not a link we sent' }]);
      const parts = token.split('.');
      if (parts.length !== 3) throw invalid();
      const [kid, payload, given] = parts as [string, string, string];
      const key = keys.byKid.get(kid);
      if (!key || !payload) throw invalid();
      const expected = Buffer.from(mac(key, purpose, `${kid}.${payload}`));
      const givenBytes = Buffer.from(given);
      if (expected.length !== givenBytes.length || !timingSafeEqual(expected, givenBytes)) throw invalid();
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      const { exp, ...data } = body;
      // A purpose that expires must carry exp: a link signed without one is refused, not trusted forever.
      if (LINK_TTL_SECONDS[purpose] !== undefined && typeof exp !== 'number') throw invalid();
      if (typeof exp === 'number' && now.getTime() / 1000 >= exp) {
        throw new HttpProblem(410, 'Gone', 'This link has expired. Open the event page to do this instead.', [{ path: 'token', message: 'has expired' }]);
      }
      return data as Record<string, string>;
    },
  };
}

// Read once per container, on first use (only functions that put links in mail or read them need it).
let loaded: Promise<ReturnType<typeof links>> | undefined;
export function linkSigner(): Promise<ReturnType<typeof links>> {
  loaded ??= loadLinkKeys().then(links, (err) => {
    loaded = undefined; // a throttled GetSecretValue is retried by the next request
    throw err;
  });
  return loaded;
}

export const signLink = async (purpose: string, data: Record<string, string>, now?: Date) => (await linkSigner()).sign(purpose, data, now);
export const readLink = async (purpose: string, token: string, now: Date) => (await linkSigner()).read(purpose, token, now);
