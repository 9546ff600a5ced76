import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Authenticator } from '../auth/authenticator.js'
import type { Identity } from '../auth/identity.js'
import { GatewayError } from '../errors.js'
import { isMlflowApiPath } from '../mlflow-api/index.js'
import { toMlflowError } from '../mlflow-api/errors.js'
import { sendCodedError } from './coded-answers.js'

/** Routes that answer anyone: liveness and readiness probes carry no credentials (and say nothing but status). */
const OPEN_PATHS = new Set(['/health', '/ready'])

/** MLflow's auth app's answer to a request without valid credentials (mlflow/server/auth, make_basic_auth_response). */
const MLFLOW_UNAUTHENTICATED =
  'You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.'

export type Admission = { admitted: true; identity: Identity | null } | { admitted: false }

/**
 * The one door's lock: with auth on, every request but the probes needs an
 * identity, checked here before any route runs. A refusal is 401 with a
 * `WWW-Authenticate` challenge, in the voice of the route asked for
 * (MLflow's text for the MLflow API, a coded GraphQL error elsewhere).
 * A script's request (`X-Requested-With`, as the dashboard sends) is not
 * challenged to Basic: a browser would answer that with its own password
 * dialog, and hold the page's other requests behind it.
 * Without auth (`authenticator` null) everyone is admitted as no one.
 */
export async function admit(request: IncomingMessage, response: ServerResponse, authenticator: Authenticator | null): Promise<Admission> {
  if (!authenticator) return { admitted: true, identity: null }
  const path = (request.url ?? '').split('?')[0]
  if (OPEN_PATHS.has(path)) return { admitted: true, identity: null }
  const refuse = (error: unknown) => refusal(response, path, error, request.headers['x-requested-with'] !== undefined)
  let identity: Identity | null
  try {
    identity = await authenticator.identify(request.headers.authorization)
  } catch (error) {
    refuse(error)
    return { admitted: false }
  }
  if (!identity) {
    refuse(new GatewayError('UNAUTHENTICATED', 'this gateway needs credentials: Basic (a password or an API token) or a Bearer token'))
    return { admitted: false }
  }
  return { admitted: true, identity }
}

function refusal(response: ServerResponse, path: string, error: unknown, scripted: boolean): void {
  const gatewayError = error instanceof GatewayError ? error : new GatewayError('INTERNAL', 'Unexpected error.')
  if (gatewayError.code !== 'UNAUTHENTICATED') {
    // The store or the identity provider failed, or sign-ins are being throttled: not the client's credentials.
    const retry = gatewayError.retryAfterSeconds
    const headers: Record<string, string> = retry === undefined ? {} : { 'retry-after': String(retry) }
    if (isMlflowApiPath(path)) {
      const mlflowError = toMlflowError(gatewayError, 'INVALID_PARAMETER_VALUE')
      response.writeHead(mlflowError.status, { 'content-type': 'application/json', ...headers })
      response.end(JSON.stringify(mlflowError.toJson()))
      return
    }
    sendCodedError(response, STATUS_OF[gatewayError.code] ?? 500, gatewayError.code, gatewayError.code === 'INTERNAL' ? 'Unexpected error.' : gatewayError.message, headers)
    return
  }
  if (isMlflowApiPath(path)) {
    response.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'www-authenticate': scripted ? 'Bearer realm="mlflow"' : 'Basic realm="mlflow"' })
    response.end(MLFLOW_UNAUTHENTICATED)
    return
  }
  sendCodedError(response, 401, 'UNAUTHENTICATED', gatewayError.message, { 'www-authenticate': scripted ? 'Bearer realm="mlgate"' : 'Basic realm="mlgate", Bearer realm="mlgate"' })
}

const STATUS_OF: Partial<Record<GatewayError['code'], number>> = { BAD_USER_INPUT: 400, RATE_LIMITED: 429, BACKEND_UNAVAILABLE: 503, BACKEND_TIMEOUT: 503, BACKEND_ERROR: 502 }
