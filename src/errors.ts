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
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export class GatewayError extends Error {
  readonly code: ErrorCode
  readonly backend: string | undefined

  constructor(code: ErrorCode, message: string, options: { backend?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'GatewayError'
    this.code = code
    this.backend = options.backend
  }
}

export const notFound = (what: string, backend?: string) =>
  new GatewayError('NOT_FOUND', `${what} does not exist`, { backend })

export const unsupported = (message: string, backend?: string) => new GatewayError('UNSUPPORTED', message, { backend })

export const badInput = (message: string, backend?: string) =>
  new GatewayError('BAD_USER_INPUT', message, { backend })
