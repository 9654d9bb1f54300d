/**
 * @module
 * Authentication of every non-public request: `Authorization: Bearer <token>` with a login session
 * token (`mls_…`) or a personal API token (`mlt_…`). Any failure is the same generic 401. The caller's
 * identity must still be active on chain (a revoked user is logged out everywhere at once). API
 * tokens are unsealed once and cached; each request still checks they are not revoked or expired.
 */
import type { FastifyRequest } from 'fastify';
import { AuthFailedError } from '../core/errors.ts';
import { apiTokenId } from '../medical/facade.ts';
import type { Session } from '../medical/facade.ts';
import type { ApiContext, Auth } from './context.ts';
import { Sessions } from './sessions.ts';

const TOUCH_EVERY_MS = 60_000;
const MAX_CACHED_TOKENS = 10_000;

interface CachedToken {
  readonly session: Session;
  readonly id: string;
  touched: number;
}

export class Authenticator {
  readonly #ctx: ApiContext;
  readonly #tokens = new Map<string, CachedToken>();

  constructor(ctx: ApiContext) {
    this.#ctx = ctx;
  }

  /** The onRequest hook: sets `request.auth` or throws AuthFailedError. */
  async authenticate(req: FastifyRequest): Promise<void> {
    req.auth = null;
    // An unknown route is a 404 for everyone: a 401 would send clients to log in for a typo.
    if (req.routeOptions.config.public === true || req.is404) return;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) throw new AuthFailedError();
    req.auth = await this.resolve(m[1]!);
  }

  async resolve(token: string): Promise<Auth> {
    const { node } = this.#ctx;
    let session: Session | undefined;
    let via: Auth['via'];
    if (Sessions.isSessionToken(token)) {
      session = this.#ctx.sessions.resolve(token);
      via = { kind: 'session', token };
    } else {
      const t = this.#apiToken(token);
      session = t.session;
      via = { kind: 'api-token', id: t.id };
    }
    if (!session || !node.chain.directory.active(session.keyId)) throw new AuthFailedError();
    return { session, scope: node.forRequest(session), via };
  }

  /** Forgets a cached API token (after revocation). */
  forget(id: string): void {
    for (const [k, v] of this.#tokens) if (v.id === id) this.#tokens.delete(k);
  }

  #apiToken(token: string): CachedToken {
    const { node, now } = this.#ctx;
    const t = now();
    const cached = this.#tokens.get(token);
    if (cached) {
      const touch = t - cached.touched > TOUCH_EVERY_MS;
      if (!node.tokenActive(cached.id, t, touch)) {
        this.#tokens.delete(token);
        throw new AuthFailedError();
      }
      if (touch) cached.touched = t;
      return cached;
    }
    const id = apiTokenId(token);
    if (!id) throw new AuthFailedError();
    const session = node.tokenSession(token, t);
    if (this.#tokens.size >= MAX_CACHED_TOKENS) this.#tokens.clear();
    const entry = { session, id, touched: t };
    this.#tokens.set(token, entry);
    return entry;
  }
}
