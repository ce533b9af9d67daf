/**
 * What every group of web pages borrows from handler.ts: the request as the pages see it,
 * their result, and the shared helpers (layout, origin check, access lookup), so each page
 * module declares only what it adds.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Access } from '../core/api.js';
import type { Caller } from '../core/http/access.js';
import type { PageUser } from './render.js';

export type Result = APIGatewayProxyStructuredResultV2 & { cookies?: string[] };

export interface PageReq {
  method: string;
  query: URLSearchParams;
  form: URLSearchParams;
  headers: Record<string, string | undefined>;
  caller: Caller | null;
  now: Date;
}

export interface PageHelpers {
  appUrl: string;
  /** The catalog's access rule of an API route, so a page and its API route share one rule. */
  accessOf: (method: string, path: string) => Access;
  htmlResult: (status: number, html: string) => Result;
  redirect: (location: string) => Result;
  signInRedirect: (next: string) => Result;
  assertSameOrigin: (req: Pick<PageReq, 'headers'>) => void;
  userOf: (c: Caller | null) => PageUser | null;
}

export type PageRoute<R = PageReq> = { method: 'GET' | 'POST'; pattern: RegExp; run: (req: R, ...params: string[]) => Promise<Result> };
