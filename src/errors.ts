/**
 * The one error type that crosses layers. Adapters and the federation layer
 * throw it with a code; the error plugin in `http/graphql-errors.ts` turns it
 * into `extensions: { code, backend }`. Anything that is not a GatewayError
 * is a bug or a backend's internals and is masked as INTERNAL.
 */
export const ERROR_CODES = [
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'UNSUPPORTED',
  'INTERNAL',
  'BACKEND_UNAVAILABLE',
  'BACKEND_TIMEOUT',
  'BACKEND_AUTH',
  /** A backend answered, but not usefully: an upstream 4xx or an answer that is not what its API promises. */
  'BACKEND_ERROR',
  /** No identity, or credentials that do not check out (auth is on). */
  'UNAUTHENTICATED',
  /** The request is not allowed: from where it came (a cross-site page, an unknown Host), or for who is asking. */
  'FORBIDDEN',
  /** Past a configured limit on the shape or cost of a request (see `limits:`). */
  'QUERY_TOO_COMPLEX',
  /** Past a configured limit on how much one client may hold at once; retry later. */
  'RATE_LIMITED',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** A backend that is down, too slow, refuses us or answers nonsense: its part of an answer is missing, the rest stands. */
export const BACKEND_FAILURE_CODES = ['BACKEND_UNAVAILABLE', 'BACKEND_TIMEOUT', 'BACKEND_AUTH', 'BACKEND_ERROR'] as const satisfies readonly ErrorCode[]

export function isBackendFailure(error: unknown): error is GatewayError {
  return error instanceof GatewayError && (BACKEND_FAILURE_CODES as readonly ErrorCode[]).includes(error.code)
}

export class GatewayError extends Error {
  readonly code: ErrorCode
  readonly backend: string | undefined
  /** For RATE_LIMITED: when trying again makes sense (answered as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined
  /** For BAD_USER_INPUT in a text argument (a filter): the offset of the offending token, so a client can point at it. */
  readonly position: number | undefined

  constructor(code: ErrorCode, message: string, options: { backend?: string; cause?: unknown; retryAfterSeconds?: number; position?: number } = {}) {
    super(message, { cause: options.cause })
    this.name = 'GatewayError'
    this.code = code
    this.backend = options.backend
    this.retryAfterSeconds = options.retryAfterSeconds
    this.position = options.position
  }
}

export const notFound = (what: string, backend?: string) =>
  new GatewayError('NOT_FOUND', `${what} does not exist`, { backend })

export const unsupported = (message: string, backend?: string) => new GatewayError('UNSUPPORTED', message, { backend })

export const badInput = (message: string, backend?: string) =>
  new GatewayError('BAD_USER_INPUT', message, { backend })

export const tooComplex = (message: string) => new GatewayError('QUERY_TOO_COMPLEX', message)
