import { context, propagation } from '@opentelemetry/api'
import { Agent, request as undiciRequest } from 'undici'
import { GatewayError } from '../../errors.js'
import { redactSecrets } from '../../redact.js'
import { ReadCache } from '../read-cache.js'
import type { UpstreamObserver } from '../../telemetry/metrics.js'
import { Semaphore } from '../../semaphore.js'
import type { Authenticate, OutgoingRequest } from './auth.js'

/**
 * The wire to one MLflow tracking server: REST API 2.0 over undici's
 * `request` on a keep-alive pool, with authentication, a per-request
 * deadline, bounded concurrency, and MLflow's `error_code`s turned into
 * gateway codes. Errors name the backend and never carry the URL's
 * credentials, headers or signatures.
 *
 * Why not fetch: a lookup is one small answer, and fetch's WHATWG layers
 * (Request, Response, streams, AbortSignal.timeout) cost 0.3 to 0.5 ms of
 * it here, a quarter of what the gateway added to an MLflow `runs/get`.
 * Redirects are not followed (fetch followed them): MLflow's API does not
 * redirect, and a redirect elsewhere would carry the credentials with it.
 */
export interface MlflowClientOptions {
  backendId: string
  baseUrl: string
  authenticate: Authenticate
  timeoutMs: number
  maxConcurrency: number
  /** Reuse read answers this long across requests; 0 turns the cache off. */
  cacheTtlMs?: number
  /** Told of every request sent (for /metrics): its REST path, seconds and error (null: none). */
  observe?: UpstreamObserver
}

/** POST endpoints that only read (searches); every other POST writes and empties the cache. */
const READ_ONLY_POSTS = new Set(['experiments/search', 'runs/search'])

/** MLflow error codes and what they mean for a gateway client. */
const ERROR_CODES: Record<string, GatewayError['code']> = {
  RESOURCE_DOES_NOT_EXIST: 'NOT_FOUND',
  NOT_FOUND: 'NOT_FOUND',
  INVALID_PARAMETER_VALUE: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_USER_INPUT',
  INVALID_STATE: 'BAD_USER_INPUT',
  PERMISSION_DENIED: 'BACKEND_AUTH',
  UNAUTHENTICATED: 'BACKEND_AUTH',
  RESOURCE_ALREADY_EXISTS: 'CONFLICT',
}

export class MlflowClient {
  private readonly base: URL
  private readonly concurrency: Semaphore
  private readonly cache: ReadCache
  private readonly pool: Agent

  constructor(private readonly options: MlflowClientOptions) {
    const base = new URL(options.baseUrl)
    // Credentials in the URL become a basic auth header, never part of a logged or reported URL.
    base.username = ''
    base.password = ''
    this.base = base
    this.concurrency = new Semaphore(options.maxConcurrency)
    this.cache = new ReadCache(options.cacheTtlMs ?? 0)
    this.pool = new Agent({ connections: options.maxConcurrency, keepAliveTimeout: 30_000 })
  }

  /** Closes the pool's connections. */
  async close(): Promise<void> {
    await this.pool.close()
  }

  get<T>(path: string, query: Record<string, string | number | string[] | undefined>): Promise<T> {
    const url = this.url(path)
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item))
    }
    return this.cache.read(() => `GET ${url}`, () => this.send<T>({ method: 'GET', url, headers: { accept: 'application/json' }, body: undefined }))
  }

  post<T>(path: string, body: unknown): Promise<T> {
    const request = {
      method: 'POST' as const,
      url: this.url(path),
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }
    if (READ_ONLY_POSTS.has(path)) return this.cache.read(() => `POST ${path} ${request.body}`, () => this.send<T>(request))
    // A write: what was cached may now be stale.
    this.cache.clear()
    return this.send<T>(request)
  }

  /** A read-only POST to one of the routes MLflow serves its UI under `ajax-api` (search-datasets). */
  postUiRead<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>({
      method: 'POST',
      url: this.url(path, 'ajax-api'),
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  }

  /** A DELETE with a JSON body (MLflow's alias deletion); a write, so the cache empties. */
  delete<T>(path: string, body: unknown): Promise<T> {
    return this.write('DELETE', path, body)
  }

  /** A PATCH (MLflow's model and version updates); a write, so the cache empties. */
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.write('PATCH', path, body)
  }

  private write<T>(method: 'DELETE' | 'PATCH', path: string, body: unknown): Promise<T> {
    this.cache.clear()
    return this.send<T>({
      method,
      url: this.url(path),
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  }

  private url(path: string, api: 'api' | 'ajax-api' = 'api'): URL {
    const url = new URL(this.base)
    url.pathname = `${this.base.pathname.replace(/\/$/, '')}/${api}/2.0/mlflow/${path}`
    return url
  }

  private async send<T>(request: OutgoingRequest): Promise<T> {
    const started = performance.now()
    // The REST path (`runs/search`): the code's own, never an id.
    const call = request.url.pathname.replace(/^.*\/2\.0\/mlflow\//, '')
    try {
      const answer = await this.sent<T>(request)
      this.options.observe?.(call, (performance.now() - started) / 1000, null)
      return answer
    } catch (error) {
      this.options.observe?.(call, (performance.now() - started) / 1000, error)
      throw error
    }
  }

  private sent<T>(request: OutgoingRequest): Promise<T> {
    return this.concurrency.run(async () => {
      // The trace goes on to the MLflow server (W3C traceparent); nothing is added when tracing is off.
      propagation.inject(context.active(), request.headers)
      const signed = await this.options.authenticate(request)
      // One deadline for the whole exchange, answer body included.
      const deadline = new AbortController()
      const timer = setTimeout(() => deadline.abort(), this.options.timeoutMs)
      let status: number
      let text: string
      try {
        const response = await undiciRequest(signed.url, { dispatcher: this.pool, method: signed.method, headers: signed.headers, body: signed.body, signal: deadline.signal })
        status = response.statusCode
        text = await response.body.text()
      } catch {
        throw this.transportError(deadline.signal.aborted)
      } finally {
        clearTimeout(timer)
      }
      if (status < 200 || status > 299) throw this.httpError(status, text)
      try {
        return parseMlflowJson(text) as T
      } catch {
        // A proxy's HTML page with status 200, a truncated answer: the backend failed, not the request.
        throw new GatewayError('BACKEND_ERROR', `backend "${this.options.backendId}" answered with something that is not JSON`, { backend: this.options.backendId })
      }
    })
  }

  private transportError(timedOut: boolean): GatewayError {
    const backend = this.options.backendId
    if (timedOut) {
      return new GatewayError('BACKEND_TIMEOUT', `backend "${backend}" did not answer within ${this.options.timeoutMs} ms`, { backend })
    }
    return new GatewayError('BACKEND_UNAVAILABLE', `backend "${backend}" cannot be reached`, { backend })
  }

  private httpError(status: number, text: string): GatewayError {
    const backend = this.options.backendId
    let body: { error_code?: unknown; message?: unknown } = {}
    try {
      body = JSON.parse(text) as typeof body
    } catch {
      // Not MLflow's JSON error body (a proxy's HTML page, say): the status decides.
    }
    const mlflowCode = typeof body.error_code === 'string' ? body.error_code : undefined
    // Upstream text may echo what we sent it, credentials included.
    const message = typeof body.message === 'string' ? redactSecrets(body.message.slice(0, 500)) : `HTTP ${status}`
    if (status === 401 || status === 403) {
      return new GatewayError('BACKEND_AUTH', `backend "${backend}" refused the credentials (HTTP ${status})`, { backend })
    }
    // MLflow refuses a changed param with INVALID_PARAMETER_VALUE; the gateway calls that CONFLICT everywhere.
    if (mlflowCode === 'INVALID_PARAMETER_VALUE' && /changing param values is not allowed/i.test(message)) {
      return new GatewayError('CONFLICT', `backend "${backend}": ${message}`, { backend })
    }
    const code = mlflowCode ? ERROR_CODES[mlflowCode] : undefined
    if (code) return new GatewayError(code, `backend "${backend}": ${message}`, { backend })
    if (status >= 500 || status === 429) {
      return new GatewayError('BACKEND_UNAVAILABLE', `backend "${backend}" failed (HTTP ${status})`, { backend })
    }
    // A 4xx with no MLflow error code of ours to map (a 404 page where an endpoint should be, a proxy's refusal): the backend failed.
    return new GatewayError('BACKEND_ERROR', `backend "${backend}" refused the request (HTTP ${status}): ${message}`, { backend })
  }
}

/**
 * MLflow writes non-finite doubles as the strings "NaN", "Infinity" and
 * "-Infinity" (protobuf's JSON mapping); some servers and proxies emit them
 * as bare tokens, which JSON.parse refuses. Accept both.
 */
export function parseMlflowJson(text: string): unknown {
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text)
  } catch {
    return JSON.parse(quoteBareNonFinite(text))
  }
}

function quoteBareNonFinite(text: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (inString) {
      out += char
      if (char === '\\') out += text[++i] ?? ''
      else if (char === '"') inString = false
      continue
    }
    if (char === '"') {
      inString = true
      out += char
      continue
    }
    const match = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9))
    if (match) {
      out += `"${match[1]}"`
      i += match[1].length - 1
      continue
    }
    out += char
  }
  return out
}
