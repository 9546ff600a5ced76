import type { IncomingMessage, ServerResponse } from 'node:http'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { z } from 'zod'
import { MlflowApiError, invalidParameter } from './errors.js'
import { parseParams, runIdOf } from './params.js'
import { requireRun } from './runs.js'
import { requireLoggedModel } from './logged-models.js'
import { safeRelativePath } from './artifact-paths.js'
import type { Route } from './route.js'
import type { ApiTarget } from './target.js'
import type { Permission } from '../contract/identity-store.js'
import type { ArtifactStorage, FileInfo, StoredEntry } from './artifact-storage/storage.js'

/** The scheme of artifact URIs this server stores (`mlflow-artifacts:/<experiment>/<run>/artifacts/...`). */
const SCHEME = 'mlflow-artifacts:'

export type { FileInfo } from './artifact-storage/storage.js'

/**
 * The files behind `mlflow-artifacts:` URIs: what MLflow's
 * `--serve-artifacts` proxy does, so `log_artifact` and `log_model` upload
 * through the gateway and downloads come back the same way. MLflow's rules
 * live here (which paths are allowed, the size limit, what is served);
 * where the bytes live is the storage's business (local files or S3).
 */
export class ArtifactStore {
  constructor(
    readonly storage: ArtifactStorage,
    /** The largest upload accepted (limits.uploadBytes). */
    private readonly maxUploadBytes: number,
  ) {}

  /**
   * A path the store may serve: refuses `..`, `.`, backslashes and NUL in
   * any segment; `target: 'file'` also refuses the root itself (`//`,
   * `%2F`): no upload replaces it and no delete removes it. Answers the
   * segments joined with single slashes.
   */
  checked(relative: string, target: 'file' | 'directory'): string {
    const segments = relative.split('/').filter((segment) => segment.length > 0)
    if (segments.some((segment) => segment === '..' || segment === '.' || segment.includes('\\') || segment.includes('\0'))) {
      throw invalidParameter(`Invalid artifact path: '${relative}'`)
    }
    if (target === 'file' && segments.length === 0) throw invalidParameter('An artifact path must name a file or directory under the root')
    return segments.join('/')
  }

  /**
   * The directory under the store an artifact root (a run's, a logged
   * model's, a version's) names: only `mlflow-artifacts:` URIs are this
   * server's to serve; roots elsewhere (s3://, a local path) are NOT_IMPLEMENTED.
   */
  servedRoot(uri: string | null, owner: string): string {
    if (uri === null || !uri.startsWith(SCHEME)) {
      throw new MlflowApiError('NOT_IMPLEMENTED', `the artifacts of ${owner} live at ${uri ?? 'no location'}, which this server does not serve`)
    }
    return uri.slice(SCHEME.length).replace(/^\/+/, '')
  }

  list(relative: string): Promise<FileInfo[]> {
    return this.storage.list(this.checked(relative, 'directory'))
  }

  /** What a path holds (a file, a directory, or nothing). */
  entry(relative: string): Promise<StoredEntry> {
    return this.storage.entry(this.checked(relative, 'file'))
  }

  /**
   * Streams the request body into the storage; a failed or oversized upload
   * leaves nothing. `maxBytes` may lower the store's limit for one route
   * (the UI's uploads).
   */
  async upload(relative: string, body: IncomingMessage, maxBytes = this.maxUploadBytes): Promise<void> {
    const limit = Math.min(maxBytes, this.maxUploadBytes)
    const path = this.checked(relative, 'file')
    const declared = Number(body.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) throw this.tooLarge(limit)
    let received = 0
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length
        done(received > limit ? new UploadTooLarge() : null, chunk)
      },
    })
    // The body's own failure (a client that left) reaches the counted stream, so the storage sees the write fail.
    body.once('error', (error) => counted.destroy(error))
    body.once('aborted', () => counted.destroy(new Error('the upload was cut short')))
    try {
      await this.storage.write(path, body.pipe(counted))
    } catch (error) {
      throw error instanceof UploadTooLarge ? this.tooLarge(limit) : error
    }
  }

  async download(relative: string, response: ServerResponse): Promise<void> {
    const found = await this.entry(relative)
    if (found?.kind !== 'file') throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `File not found: ${relative}`)
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': found.size })
    await pipeline(found.read(), response)
  }

  delete(relative: string): Promise<void> {
    return this.storage.delete(this.checked(relative, 'file'))
  }

  private tooLarge(limit: number): MlflowApiError {
    return invalidParameter(`Artifact upload exceeds ${limit} bytes${limit === this.maxUploadBytes ? ' (limits.uploadBytes)' : ''}`)
  }
}

class UploadTooLarge extends Error {}

/**
 * `/api/2.0/mlflow-artifacts/artifacts[/<path>]`: PUT uploads, GET downloads
 * (or lists, without a path), DELETE removes, each after the caller's
 * permission on the path (see requirePathPermission). Answers true when it handled the request.
 */
export async function handleArtifactRequest(store: ArtifactStore, target: ApiTarget, method: string, path: string, url: URL, request: IncomingMessage, response: ServerResponse): Promise<boolean> {
  if (path === '' && method === 'GET') {
    const listed = url.searchParams.get('path') ?? ''
    await requirePathPermission(target, listed, 'READ')
    const files = await store.list(listed)
    sendJson(response, files.length > 0 ? { files } : {})
    return true
  }
  if (path === '') return false
  if (!Object.hasOwn(PROXY_PERMISSIONS, method)) return false
  await requirePathPermission(target, path, PROXY_PERMISSIONS[method as keyof typeof PROXY_PERMISSIONS])
  switch (method) {
    case 'PUT':
      await store.upload(path, request)
      sendJson(response, {})
      return true
    case 'GET':
      await store.download(path, response)
      return true
    default:
      await store.delete(path)
      sendJson(response, {})
      return true
  }
}

/** What each proxy method needs, as MLflow's auth app asks it (read, update, manage). */
const PROXY_PERMISSIONS = { GET: 'READ', PUT: 'EDIT', DELETE: 'MANAGE' } as const satisfies Record<string, Permission>

/**
 * MLflow's auth app judges a proxied path by the experiment its first
 * segment names (`<experiment>/<run>/artifacts/...`, the layout this server
 * writes); a path naming none (a custom artifact location) is judged by the
 * default permission, which here is the caller's level on the backend (its
 * grants on the backend, else `auth.defaultPermission`). The segments are
 * the ones the store resolves (one percent-decoding, empty segments
 * dropped), so the path judged is the path served.
 */
export async function requirePathPermission(target: ApiTarget, path: string, needed: Permission): Promise<void> {
  const first = path.split('/').find((segment) => segment.length > 0)
  if (first !== undefined && /^\d+$/.test(first)) await target.tracking.guard.requireOnExperiment(target.key(first), needed)
  else await target.tracking.guard.requireOnBackend(target.id, needed)
}

/** A JSON answer (`body` null: MLflow's empty JSON answer), with the nosniff header MLflow puts on every answer. */
export function sendJson(response: ServerResponse, body: object | null, status = 200): void {
  const bytes = Buffer.from(body === null ? '' : JSON.stringify(body))
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, 'x-content-type-options': 'nosniff' })
  response.end(bytes)
}

/**
 * The tracking API's listings: `artifacts/list` (a run's files under its
 * artifact URI) and `logged-models/{id}/artifacts/directories` (a logged
 * model's, as MLflow's UI lists them).
 */
export function artifactRoutes(store: ArtifactStore): Route[] {
  return [
    {
      method: 'GET',
      path: 'artifacts/list',
      async handle(params, target) {
        const request = parseParams(z.object({ path: z.string().default('') }), params)
        const runId = runIdOf(params)
        const run = await requireRun(target, runId)
        return listUnder(store, run.artifactUri, request.path, `run ${runId}`)
      },
    },
    {
      method: 'GET',
      path: 'logged-models/:model_id/artifacts/directories',
      async handle(params, target) {
        const request = parseParams(z.object({ model_id: z.string(), artifact_directory_path: z.string().optional() }), params)
        const model = await requireLoggedModel(target, request.model_id)
        const directory = request.artifact_directory_path === undefined ? '' : safeRelativePath(request.artifact_directory_path)
        return listUnder(store, model.artifactLocation, directory, `logged model ${request.model_id}`)
      },
    },
  ]
}

/** The files under `directory` of an artifact root, paths relative to the root, as MLflow lists them. */
async function listUnder(store: ArtifactStore, root: string | null, directory: string, owner: string): Promise<object> {
  const base = store.servedRoot(root, owner)
  const prefix = directory.replace(/^\/+|\/+$/g, '')
  const files = await store.list([base, prefix].filter(Boolean).join('/'))
  return {
    root_uri: root,
    ...(files.length > 0 && { files: files.map((file) => ({ ...file, path: prefix ? `${prefix}/${file.path}` : file.path })) }),
  }
}
