/** The matching function's routes: matchmaking between attendees: preview, send, feedback and introductions. api.ts composes every function's. */
import { rateLimits as rl, type RouteSpec } from './spec.js';
import { EventParams, PageQuery, TokenQuery } from '../schemas/common.js';
import { MatchFeedback, MatchParams } from '../schemas/matching.js';

export const matchingRoutes: readonly RouteSpec[] = [
  { method: 'POST', path: '/events/{eventId}/matches/preview', fn: 'matching', access: 'organizer', summary: 'Compute matches now; store nothing; return matches and quality figures', params: EventParams, rateLimit: [rl.matchPreview], errors: [409] },
  { method: 'POST', path: '/events/{eventId}/matches/send', fn: 'matching', access: 'organizer', summary: 'Compute, store and email the matches now (otherwise at matchmaking.sendAt)', params: EventParams, errors: [409] },
  { method: 'GET', path: '/events/{eventId}/matches', fn: 'matching', access: 'organizer', summary: 'Stored matches with acceptance, intro and met rates', params: EventParams, query: PageQuery },
  { method: 'GET', path: '/events/{eventId}/matches/me', fn: 'matching', access: 'matched', summary: "The caller's matches with the reasons", params: EventParams },
  { method: 'POST', path: '/events/{eventId}/matches/{matchId}/feedback', fn: 'matching', access: 'matched', summary: 'Rate a match: rating 1-5 and whether you met', params: MatchParams, body: MatchFeedback },
  { method: 'GET', path: '/events/{eventId}/matches/{matchId}/introduce', fn: 'matching', access: 'public', summary: '"Introduce us" page from the match mail (signed token); its button posts', params: MatchParams, query: TokenQuery, produces: 'text/html', rateLimit: [rl.linkPages] },
  { method: 'POST', path: '/events/{eventId}/matches/{matchId}/introduce', fn: 'matching', access: 'public', summary: 'Ask for an introduction (signed token); when both sides have asked, one mail goes to both', params: MatchParams, query: TokenQuery, rateLimit: [rl.linkPages, rl.introduceAsk], errors: [422] },
];
