/**
 * @module
 * The portal's only way to the node: JSON over the native API (`/api/v1`) and the FHIR API
 * (`/fhir/R4`) with the session token. Errors arrive as `{error: {code, message}}` (or a FHIR
 * OperationOutcome) and become an ApiError with the node's stable code and message; a 401 ends the
 * session.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

let token: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setToken(t: string | null): void {
  token = t;
}

export function setUnauthorizedHandler(f: (() => void) | null): void {
  onUnauthorized = f;
}

interface ErrorBody {
  error?: { code?: string; message?: string };
  issue?: { diagnostics?: string; details?: { text?: string }; code?: string }[];
}

async function errorOf(r: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await r.json()) as ErrorBody;
  } catch {
    // not JSON: keep the status text
  }
  if (body.error)
    return new ApiError(r.status, body.error.code ?? 'ML_ERR', body.error.message ?? r.statusText);
  const issue = body.issue?.[0];
  if (issue)
    return new ApiError(
      r.status,
      issue.code ?? 'ML_ERR',
      issue.diagnostics ?? issue.details?.text ?? r.statusText,
    );
  return new ApiError(r.status, 'ML_ERR_HTTP', `${String(r.status)} ${r.statusText}`);
}

export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  readonly fhir?: boolean;
}

/** Sends one request; resolves with the parsed JSON body (or text for non-JSON answers). */
export async function request<T>(path: string, o: RequestOptions = {}): Promise<T> {
  const r = await send(path, o);
  if (r.status === 204) return undefined as T;
  const type = r.headers.get('content-type') ?? '';
  return (type.includes('json') ? await r.json() : await r.text()) as T;
}

/** One page of a list, and the path of the next page (from the `Link: <…>; rel="next"` header). */
export interface ListPage<T> {
  readonly items: T[];
  readonly next: string | undefined;
}

/** Gets one page of a list at `path` (a path from the server's `/`, as `Link` headers give it). */
export async function listPage<T>(path: string, signal?: AbortSignal): Promise<ListPage<T>> {
  const r = await send(path, signal ? { signal } : {});
  const next = /<([^>]+)>;\s*rel="next"/.exec(r.headers.get('link') ?? '')?.[1];
  return { items: (await r.json()) as T[], next: next?.startsWith('/api/v1/') ? next : undefined };
}

async function send(path: string, o: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: o.fhir ? 'application/fhir+json' : 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (o.body !== undefined) headers['content-type'] = o.fhir ? 'application/fhir+json' : 'application/json';
  const r = await fetch(path, {
    method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (r.status === 401 && token) onUnauthorized?.();
  if (!r.ok) throw await errorOf(r);
  return r;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>(`/api/v1${path}`, signal ? { signal } : {}),
  post: <T>(path: string, body: unknown = {}) => request<T>(`/api/v1${path}`, { method: 'POST', body }),
  del: <T>(path: string) => request<T>(`/api/v1${path}`, { method: 'DELETE' }),
  fhir: <T>(path: string, o: Omit<RequestOptions, 'fhir'> = {}) =>
    request<T>(`/fhir/R4${path}`, { ...o, fhir: true }),
};

/** The session token, or null when logged out (a key for per-session caches). */
export function sessionToken(): string | null {
  return token;
}

/** Fetches a file with the session token and hands it to the browser as a download. */
export async function download(path: string, filename: string): Promise<void> {
  const r = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!r.ok) throw await errorOf(r);
  saveBlob(await r.blob(), filename);
}

/** Hands a blob to the browser as a file download. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 1000);
}
