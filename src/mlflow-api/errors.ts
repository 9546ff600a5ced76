import { GatewayError } from '../errors.js'

/** MLflow's error codes this API answers with, and the HTTP status MLflow's server gives each. */
export const MLFLOW_ERROR_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  BAD_REQUEST: 400,
  MALFORMED_REQUEST: 400,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  INTERNAL_ERROR: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
} as const

export type MlflowErrorCode = keyof typeof MLFLOW_ERROR_STATUS

/** The classification MLflow 3's server adds to an error body (mlflow/error_classification.py). */
const CLASSIFICATION: Partial<Record<MlflowErrorCode, { sqlstate: string; error_class: string }>> = {
  INVALID_PARAMETER_VALUE: { sqlstate: 'KAM00', error_class: 'INVALID_PARAMETER_VALUE' },
  RESOURCE_ALREADY_EXISTS: { sqlstate: 'KAM00', error_class: 'RESOURCE_ALREADY_EXISTS' },
  BAD_REQUEST: { sqlstate: 'KAM00', error_class: 'INVALID_PARAMETER_VALUE' },
  PERMISSION_DENIED: { sqlstate: 'KAM00', error_class: 'PERMISSION_DENIED' },
  RESOURCE_DOES_NOT_EXIST: { sqlstate: 'KAM00', error_class: 'RESOURCE_NOT_FOUND' },
  ENDPOINT_NOT_FOUND: { sqlstate: 'KAM00', error_class: 'RESOURCE_NOT_FOUND' },
  INTERNAL_ERROR: { sqlstate: 'XXM00', error_class: 'CLIENT_INTERNAL_ERROR' },
  TEMPORARILY_UNAVAILABLE: { sqlstate: 'XXM00', error_class: 'CLIENT_INTERNAL_ERROR' },
}

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
    return MLFLOW_ERROR_STATUS[this.errorCode]
  }

  /** The body MLflow's server answers with. */
  toJson() {
    return { error_code: this.errorCode, message: this.message, ...CLASSIFICATION[this.errorCode] }
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
  switch (error.code) {
    case 'NOT_FOUND':
      return new MlflowApiError('RESOURCE_DOES_NOT_EXIST', error.message)
    case 'BAD_USER_INPUT':
      return new MlflowApiError('INVALID_PARAMETER_VALUE', error.message)
    case 'CONFLICT':
      return new MlflowApiError(conflict, error.message)
    case 'UNSUPPORTED':
      return new MlflowApiError('NOT_IMPLEMENTED', error.message)
    case 'BACKEND_AUTH':
      return new MlflowApiError('PERMISSION_DENIED', error.message)
    case 'BACKEND_UNAVAILABLE':
    case 'BACKEND_TIMEOUT':
      return new MlflowApiError('TEMPORARILY_UNAVAILABLE', error.message)
    case 'INTERNAL':
      return new MlflowApiError('INTERNAL_ERROR', 'internal error')
  }
}
