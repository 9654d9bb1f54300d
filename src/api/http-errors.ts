/**
 * @module
 * One mapping from any error to an HTTP answer. MedLedger errors carry their registry code and
 * status; Fastify's own errors (schema validation, bad JSON, body too large, wrong content type) are
 * turned into registry codes too, so every 4xx has a stable code and nothing malformed becomes a 500.
 * Unknown errors become ML_ERR_NODE_INTERNAL with a generic message: details go to the log only.
 */
import { HttpError, MedLedgerError } from '../core/errors.ts';

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly data?: Record<string, unknown>;
  };
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  validation?: unknown;
  validationContext?: unknown;
  message?: unknown;
}

/** The MedLedgerError an error stands for; `internal` is true when it was unexpected (a bug). */
export function asMedLedgerError(e: unknown): { error: MedLedgerError; internal: boolean } {
  if (e instanceof MedLedgerError) return { error: e, internal: false };
  const f = (typeof e === 'object' && e !== null ? e : {}) as FastifyLikeError;
  const message = typeof f.message === 'string' ? f.message : 'bad request';
  if (f.validation !== undefined)
    return {
      error: new HttpError(
        'ML_ERR_HTTP_BAD_REQUEST',
        `${typeof f.validationContext === 'string' ? f.validationContext : 'request'} ${message.replace(/^(body|querystring|params|headers)\s*/, '')}`,
      ),
      internal: false,
    };
  const status = typeof f.statusCode === 'number' ? f.statusCode : 500;
  switch (f.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: new HttpError('ML_ERR_HTTP_TOO_LARGE', 'request body is too large'), internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { error: new HttpError('ML_ERR_HTTP_MEDIA_TYPE', message), internal: false };
    // Router errors (reach us through Fastify's `frameworkErrors` option): their messages echo the
    // URL, which may carry ids, so they get messages of their own.
    case 'FST_ERR_BAD_URL':
      return { error: new HttpError('ML_ERR_HTTP_BAD_REQUEST', 'malformed URL escape'), internal: false };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        error: new HttpError('ML_ERR_HTTP_BAD_REQUEST', 'a path parameter is too long'),
        internal: false,
      };
    default:
      break;
  }
  if (status === 404) return { error: new HttpError('ML_ERR_HTTP_NOT_FOUND', message), internal: false };
  if (status === 405) return { error: new HttpError('ML_ERR_HTTP_METHOD', message), internal: false };
  if (status === 413) return { error: new HttpError('ML_ERR_HTTP_TOO_LARGE', message), internal: false };
  if (status === 415) return { error: new HttpError('ML_ERR_HTTP_MEDIA_TYPE', message), internal: false };
  if (status >= 400 && status < 500)
    return { error: new HttpError('ML_ERR_HTTP_BAD_REQUEST', message), internal: false };
  return { error: new HttpError('ML_ERR_NODE_INTERNAL', 'internal error'), internal: true };
}

export function errorBody(e: MedLedgerError): ErrorBody {
  const data = e.code === 'ML_ERR_AUTH_FAILED' ? undefined : e.data;
  return {
    error: {
      code: e.code,
      message: e.message,
      ...(data && Object.keys(data).length > 0 ? { data: { ...data } } : {}),
    },
  };
}
