import { GatewayError } from '../errors.js'
import { FilterSyntaxError } from '../federation/mlflow-filter.js'
import { redactSecrets } from '../redact.js'

/**
 * MLflow's error codes this API answers with: the HTTP status MLflow's
 * server gives each, and the classification MLflow 3 adds to the body
 * (mlflow/error_classification.py).
 */
const MLFLOW_ERRORS = {
  INVALID_PARAMETER_VALUE: { status: 400, sqlstate: 'KAM00', error_class: 'INVALID_PARAMETER_VALUE' },
  RESOURCE_ALREADY_EXISTS: { status: 400, sqlstate: 'KAM00', error_class: 'RESOURCE_ALREADY_EXISTS' },
  BAD_REQUEST: { status: 400, sqlstate: 'KAM00', error_class: 'INVALID_PARAMETER_VALUE' },
  MALFORMED_REQUEST: { status: 400 },
  PERMISSION_DENIED: { status: 403, sqlstate: 'KAM00', error_class: 'PERMISSION_DENIED' },
  UNAUTHENTICATED: { status: 401 },
  RESOURCE_DOES_NOT_EXIST: { status: 404, sqlstate: 'KAM00', error_class: 'RESOURCE_NOT_FOUND' },
  ENDPOINT_NOT_FOUND: { status: 404, sqlstate: 'KAM00', error_class: 'RESOURCE_NOT_FOUND' },
  INTERNAL_ERROR: { status: 500, sqlstate: 'XXM00', error_class: 'CLIENT_INTERNAL_ERROR' },
  NOT_IMPLEMENTED: { status: 501 },
  REQUEST_LIMIT_EXCEEDED: { status: 429, sqlstate: 'KAM00', error_class: 'REQUEST_LIMIT_EXCEEDED' },
  TEMPORARILY_UNAVAILABLE: { status: 503, sqlstate: 'XXM00', error_class: 'CLIENT_INTERNAL_ERROR' },
} as const satisfies Record<string, { status: number; sqlstate?: string; error_class?: string }>

export type MlflowErrorCode = keyof typeof MLFLOW_ERRORS

/** An answer in MLflow's error shape: `{"error_code", "message"}` with MLflow's status. */
export class MlflowApiError extends Error {
  override name = 'MlflowApiError'
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
  ) {
    super(message)
  }

  get status(): number {
    return MLFLOW_ERRORS[this.errorCode].status
  }

  /** The body MLflow's server answers with. */
  toJson() {
    const { status: _, ...classification } = MLFLOW_ERRORS[this.errorCode]
    return { error_code: this.errorCode, message: this.message, ...classification }
  }
}

export const invalidParameter = (message: string) => new MlflowApiError('INVALID_PARAMETER_VALUE', message)

/**
 * The gateway's errors in MLflow's words. A CONFLICT is RESOURCE_ALREADY_EXISTS
 * where something is created under a taken name, INVALID_PARAMETER_VALUE
 * elsewhere (a changed param value), as on MLflow's server. Anything else
 * is masked: no stack, SQL or backend internals reach the client.
 */
export function toMlflowError(error: unknown, conflict: 'RESOURCE_ALREADY_EXISTS' | 'INVALID_PARAMETER_VALUE'): MlflowApiError {
  if (error instanceof MlflowApiError) return error
  if (!(error instanceof GatewayError)) return new MlflowApiError('INTERNAL_ERROR', 'internal error')
  if (error instanceof FilterSyntaxError && error.mlflowMessage) return invalidParameter(error.mlflowMessage)
  const message = redactSecrets(error.message)
  switch (error.code) {
    case 'NOT_FOUND':
      return new MlflowApiError('RESOURCE_DOES_NOT_EXIST', message)
    case 'BAD_USER_INPUT':
      return new MlflowApiError('INVALID_PARAMETER_VALUE', message)
    case 'CONFLICT':
      return new MlflowApiError(conflict, message)
    case 'UNSUPPORTED':
      return new MlflowApiError('NOT_IMPLEMENTED', message)
    case 'UNAUTHENTICATED':
      return new MlflowApiError('UNAUTHENTICATED', message)
    case 'BACKEND_AUTH':
    case 'FORBIDDEN':
      return new MlflowApiError('PERMISSION_DENIED', message)
    case 'BACKEND_UNAVAILABLE':
    case 'BACKEND_TIMEOUT':
    case 'BACKEND_ERROR':
      return new MlflowApiError('TEMPORARILY_UNAVAILABLE', message)
    case 'QUERY_TOO_COMPLEX':
      return new MlflowApiError('INVALID_PARAMETER_VALUE', message)
    case 'RATE_LIMITED':
      return new MlflowApiError('REQUEST_LIMIT_EXCEEDED', message)
    case 'INTERNAL':
      return new MlflowApiError('INTERNAL_ERROR', 'internal error')
  }
}
