import type { IncomingMessage, ServerResponse } from 'node:http'
import type { UserAdmin } from '../auth/user-admin.js'
import type { CallerAccess } from '../auth/permissions.js'
import { userRoutes } from './users.js'
import { permissionRoutes } from './permissions.js'
import type { PermissionAdmin } from '../auth/permission-admin.js'
import type { GuardedBackend } from '../federation/backends.js'
import { LocalArtifactStorage } from './artifact-storage/local.js'
import { S3ArtifactStorage } from './artifact-storage/s3.js'
import { handleMultipartRequest } from './artifact-multipart.js'
import { ArtifactStore, artifactRoutes, handleArtifactRequest, sendJson } from './artifacts.js'
import { handleArtifactFileRequest, matchArtifactFileRoute } from './artifact-files.js'
import type { ArtifactsConfig, Limits } from '../config.js'
import { findStringProblem } from '../input-strings.js'
import { MlflowApiError, invalidParameter, toMlflowError } from './errors.js'
import { experimentRoutes } from './experiments.js'
import { loggedModelRoutes } from './logged-models.js'
import { metricRoutes } from './metrics.js'
import { modelVersionRoutes } from './model-versions.js'
import { registeredModelRoutes } from './registered-models.js'
import type { HttpMethod, Route } from './route.js'
import { runRoutes } from './runs.js'
import { ApiTarget } from './target.js'
import { Backends } from '../federation/backends.js'
import { logUnexpected } from '../log.js'
import type { WebhookAdmin } from '../federation/automation/webhooks.js'
import type { EventSink } from '../federation/automation/events.js'
import { webhookRoutes } from './webhooks.js'

/** MLflow's clients call both prefixes (the UI uses `ajax-api`). */
const API_PREFIXES = ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/', '/api/3.0/mlflow/', '/ajax-api/3.0/mlflow/']
const ARTIFACT_PREFIXES = ['/api/2.0/mlflow-artifacts/artifacts', '/ajax-api/2.0/mlflow-artifacts/artifacts']
/** MLflow's multipart uploads through the proxy: `<prefix>/{create,complete,abort}/<directory>`. */
const MULTIPART_PATH = /^\/(?:api|ajax-api)\/2\.0\/mlflow-artifacts\/mpu\/([a-z]+)(?:\/(.*))?$/

/** Whether a request path is the MLflow API's (its REST routes, the artifact proxy, the UI's file routes): refusals there speak MLflow. */
export function isMlflowApiPath(pathname: string): boolean {
  return (
    API_PREFIXES.some((prefix) => pathname.startsWith(prefix)) ||
    ARTIFACT_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`)) ||
    MULTIPART_PATH.test(pathname) ||
    matchArtifactFileRoute(pathname) !== null
  )
}

export interface MlflowApiOptions {
  /** The backend MLflow clients read and write. */
  backend: GuardedBackend
  /** Where the artifact proxy keeps files. */
  artifacts: ArtifactsConfig
  limits: Limits
  /** Users and API tokens when auth is on: MLflow's auth app's user endpoints are served then. */
  users: UserAdmin | null
  /** What the current request's caller may do (null: auth is off). */
  access: (() => CallerAccess) | null
  /** Roles and grants when auth is on: MLflow's auth app's 3.0 endpoints are served then. */
  permissionAdmin: PermissionAdmin | null
  /** Webhooks (MLflow 3's API) when the gateway has a store for them; null: those routes answer ENDPOINT_NOT_FOUND. */
  webhooks?: WebhookAdmin | null
  /** Told what each write did (webhooks); the gateway's sink. */
  events?: EventSink
  /** Told of every answered request once its connection is done with it (for /metrics): its endpoint (a route, never a URL), status and seconds. */
  observe?: (endpoint: string, status: number, seconds: number) => void
}

export interface MlflowApi {
  /** Answers the request when it is for the MLflow API; resolves false otherwise. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>
}

/** MLflow's REST API 2.0 over one backend: the endpoints `mlflow`'s Python client calls, and the artifact proxy. */
export function createMlflowApi(options: MlflowApiOptions): MlflowApi {
  const { limits } = options
  // A registry of the target alone: the federation layer's lists then span just this backend.
  const scope = new Backends([options.backend])
  if (options.events) scope.events = options.events
  const storage = options.artifacts.kind === 's3' ? new S3ArtifactStorage(options.artifacts) : new LocalArtifactStorage(options.artifacts.dir)
  const artifacts = new ArtifactStore(storage, limits.uploadBytes)
  const router = new Router([
    ...experimentRoutes,
    ...runRoutes,
    ...metricRoutes,
    ...registeredModelRoutes,
    ...modelVersionRoutes,
    ...loggedModelRoutes,
    ...artifactRoutes(artifacts),
    ...(options.users ? userRoutes(options.users) : []),
    ...(options.permissionAdmin ? permissionRoutes(options.permissionAdmin, options.backend.id) : []),
    ...(options.webhooks ? webhookRoutes(options.webhooks) : []),
  ])

  const target = () => new ApiTarget(scope, limits, options.access?.())
  return {
    async handle(request, response) {
      const url = parseRequestUrl(request.url)
      if (!url) return false
      const method = request.method ?? 'GET'
      const started = performance.now()
      const measure = (endpoint: string) => response.once('close', () => options.observe?.(endpoint, response.statusCode, (performance.now() - started) / 1000))
      const artifactPrefix = ARTIFACT_PREFIXES.find((prefix) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))
      if (artifactPrefix) {
        measure(`${method} mlflow-artifacts`)
        return answer(response, 'INVALID_PARAMETER_VALUE', async () => {
          const path = decodePathPart(url.pathname.slice(artifactPrefix.length).replace(/^\//, ''))
          if (!(await handleArtifactRequest(artifacts, target(), method, path, url, request, response))) {
            throw new MlflowApiError('ENDPOINT_NOT_FOUND', `No artifact endpoint for ${method} ${url.pathname}`)
          }
        })
      }
      const multipart = MULTIPART_PATH.exec(url.pathname)
      if (multipart) {
        measure(`${method} mlflow-artifacts/mpu/${multipart[1] === 'create' || multipart[1] === 'complete' || multipart[1] === 'abort' ? multipart[1] : 'unknown'}`)
        return answer(response, 'INVALID_PARAMETER_VALUE', async () => {
          if (method !== 'POST') throw new MlflowApiError('ENDPOINT_NOT_FOUND', `No multipart endpoint for ${method} ${url.pathname}`)
          const directory = artifacts.checked(decodePathPart(multipart[2] ?? ''), 'directory')
          await handleMultipartRequest(artifacts, target(), multipart[1], directory, await readJsonBody(request, limits.requestBodyBytes), response)
        })
      }
      const fileRoute = matchArtifactFileRoute(url.pathname)
      if (fileRoute) {
        measure(`${method} ${fileRoute.kind}`)
        return answer(response, 'INVALID_PARAMETER_VALUE', () => handleArtifactFileRequest(artifacts, target(), fileRoute, url, request, response))
      }
      const prefix = API_PREFIXES.find((candidate) => url.pathname.startsWith(candidate))
      if (!prefix) return false
      const path = url.pathname.slice(prefix.length)
      const version = prefix.includes('/3.0/') ? 3 : 2
      let match: ReturnType<Router['match']>
      try {
        match = router.match(method, path, version)
      } catch (error) {
        measure('unmatched')
        sendError(response, toMlflowError(error, 'INVALID_PARAMETER_VALUE'))
        return true
      }
      if (!match) {
        measure('unmatched')
        sendError(response, new MlflowApiError('ENDPOINT_NOT_FOUND', `No API endpoint for ${method} ${url.pathname}`))
        return true
      }
      const { route, pathParams } = match
      measure(`${route.method} ${version}.0/${route.path}`)
      return answer(response, route.conflict ?? 'INVALID_PARAMETER_VALUE', async () => {
        const params = { ...queryParams(url), ...(await readJsonBody(request, limits.requestBodyBytes)), ...pathParams }
        const problem = findStringProblem(params, limits.stringLength)
        if (problem) throw invalidParameter(`Invalid value: ${problem}`)
        sendJson(response, await route.handle(params, target()))
      })
    },
  }
}

/** The request's URL, or null when it is not one (`//`, say): then it is not this API's request. */
function parseRequestUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://mlgate')
  } catch {
    return null
  }
}

/** A percent-decoded path part; a malformed escape (`%ZZ`, a cut UTF-8 sequence) is the client's mistake. */
function decodePathPart(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw invalidParameter(`Invalid percent-encoding in path: '${text.slice(0, 200)}'`)
  }
}

/** Runs a handler, answering its failure in MLflow's error shape (unless the answer has already started). */
async function answer(response: ServerResponse, conflict: 'RESOURCE_ALREADY_EXISTS' | 'INVALID_PARAMETER_VALUE', handle: () => Promise<void>): Promise<true> {
  try {
    await handle()
  } catch (error) {
    const mlflowError = toMlflowError(error, conflict)
    if (mlflowError.errorCode === 'INTERNAL_ERROR') logUnexpected('unexpected error in the MLflow API', error)
    if (!response.headersSent) sendError(response, mlflowError)
    else response.destroy()
  }
  return true
}

function sendError(response: ServerResponse, error: MlflowApiError): void {
  sendJson(response, error.toJson(), error.status)
}

/** Query parameters; a repeated name becomes a list. */
function queryParams(url: URL): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name)
    params[name] = values.length === 1 ? values[0] : values
  }
  return params
}

async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > maxBytes) throw new MlflowApiError('INVALID_PARAMETER_VALUE', `request body exceeds ${maxBytes} bytes (limits.requestBodyBytes)`)
    chunks.push(chunk as Buffer)
  }
  if (size === 0) return {}
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new MlflowApiError('MALFORMED_REQUEST', 'request body is not valid JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new MlflowApiError('INVALID_PARAMETER_VALUE', 'request body must be a JSON object')
  return body as Record<string, unknown>
}

/** Matches method and path to a route; literal segments win over `:parameters`. */
class Router {
  private readonly routes: { route: Route; segments: string[] }[]

  constructor(routes: Route[]) {
    this.routes = routes
      .map((route) => ({ route, segments: route.path.split('/') }))
      // Fewer parameters first: `logged-models/search` before `logged-models/:model_id`.
      .sort((a, b) => a.segments.filter((s) => s.startsWith(':')).length - b.segments.filter((s) => s.startsWith(':')).length)
  }

  match(method: string, path: string, version: 2 | 3): { route: Route; pathParams: Record<string, string> } | null {
    const segments = path.split('/')
    for (const { route, segments: pattern } of this.routes) {
      if (route.method !== (method as HttpMethod) || (route.version ?? 2) !== version || pattern.length !== segments.length) continue
      const pathParams: Record<string, string> = {}
      const matches = pattern.every((part, index) => {
        if (part.startsWith(':')) {
          pathParams[part.slice(1)] = decodePathPart(segments[index])
          return segments[index].length > 0
        }
        return part === segments[index]
      })
      if (matches) return { route, pathParams }
    }
    return null
  }
}
