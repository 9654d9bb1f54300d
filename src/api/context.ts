/**
 * @module
 * What every route plugin gets: the node, the login sessions, the login limiter, the integrity
 * monitor and the clock; and what every authenticated request carries (`request.auth`): the session
 * and a ledger handle scoped to it, so handlers never check consent themselves.
 */
import type { FastifyRequest } from 'fastify';
import { RoleForbiddenError } from '../core/errors.ts';
import type { IntegrityMonitor } from '../integrity/integrity-monitor.ts';
import type { LoginLimiter, MedicalFacade, RequestScope, Role, Session } from '../medical/facade.ts';
import type { Sessions } from './sessions.ts';

/** See fhir-search.ts: when a patient is searched by cursor, and how much one request reads. */
export interface FhirScanLimits {
  /** A patient with more original records than this is searched a window at a time (`_cursor`). */
  readonly wholeLimit: number;
  /** Records per audited read of a cursor scan. */
  readonly chunk: number;
  /** Original records one request of a cursor scan reads at most. */
  readonly budget: number;
}

export const DEFAULT_FHIR_SCAN: FhirScanLimits = { wholeLimit: 10_000, chunk: 1000, budget: 10_000 };

export const DEFAULT_RESEARCH_JSON_MAX = 50_000;

export interface ApiContext {
  readonly node: MedicalFacade;
  readonly sessions: Sessions;
  readonly limiter: LoginLimiter;
  readonly monitor: IntegrityMonitor;
  readonly now: () => number;
  /** How FHIR searches of one patient scan their records (fhir-search.ts). */
  readonly fhirScan: FhirScanLimits;
  /** Items of a list page when the request names no `limit` (records, access events, users; ≤ 1,000). */
  readonly pageSize: number;
  /** Records of the research cohort beyond which the JSON export (held whole) is refused for CSV. */
  readonly researchJsonMax: number;
  /** Display names of condition codes (by OMOP source value) for the cohort counts. */
  readonly conditionNames: ReadonlyMap<string, string>;
  /** Set once shutdown starts: new writes get 503. */
  closing: boolean;
}

export interface Auth {
  readonly session: Session;
  readonly scope: RequestScope;
  /** How the caller authenticated: a login session or a personal API token (with its id). */
  readonly via:
    | { readonly kind: 'session'; readonly token: string }
    | { readonly kind: 'api-token'; readonly id: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | null;
  }
  interface FastifyInstance {
    /** The node's public base URL (server.ts `publicUrl`), set before the first request. */
    publicUrl: { url: string };
  }
  interface FastifyContextConfig {
    /** The route needs no authentication. */
    public?: boolean;
  }
}

/** The caller's auth; throws RoleForbiddenError unless their role is one of `roles` (when given). */
export function authOf(req: FastifyRequest, ...roles: Role[]): Auth {
  const a = req.auth;
  if (!a) throw new Error('route is public but reads request.auth');
  if (roles.length > 0 && !roles.includes(a.session.role))
    throw new RoleForbiddenError(a.session.role, roles);
  return a;
}
