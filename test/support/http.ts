/** A small HTTP client for integration tests: sign in through /dev/token, call the API. */
export const api = () => {
  const url = process.env.API_URL;
  if (!url) throw new Error('API_URL is not set: integration tests run under the integration jest project');
  return url;
};

export interface Res<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = any>(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Res<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${api()}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: any = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed, text };
}

let seq = 0;
/** A fresh user: unique email per call, so tests never share state by accident. */
export async function signIn(label = 'user', name?: string): Promise<{ token: string; userId: string; email: string }> {
  const email = `${label}.${process.pid}.${Date.now()}.${seq++}@example.test`;
  const res = await call('POST', '/dev/token', { body: { email, name: name ?? label } });
  if (res.status !== 200) throw new Error(`dev token failed: ${res.status} ${res.text}`);
  return { token: res.body.token, userId: res.body.userId, email };
}

/** Like `call`, but hands back the body's raw bytes (fetch's text() would drop a BOM). */
export async function callBytes(method: string, path: string, opts: { token?: string } = {}): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${api()}${path}`, { method, headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}
