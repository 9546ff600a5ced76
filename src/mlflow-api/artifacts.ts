import { createReadStream, createWriteStream } from 'node:fs'
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, join, resolve, sep } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { MlflowApiError, invalidParameter } from './errors.js'
import { parseParams, runIdOf } from './params.js'
import { requireRun } from './runs.js'
import { requireLoggedModel } from './logged-models.js'
import { safeRelativePath } from './artifact-paths.js'
import type { Route } from './route.js'
import type { ApiTarget } from './target.js'
import type { Permission } from '../contract/identity-store.js'

/** The scheme of artifact URIs this server stores (`mlflow-artifacts:/<experiment>/<run>/artifacts/...`). */
const SCHEME = 'mlflow-artifacts:'

export interface FileInfo {
  path: string
  is_dir: boolean
  file_size?: number
}

/**
 * The files behind `mlflow-artifacts:` URIs, under one directory: what
 * MLflow's `--serve-artifacts` proxy does, so `log_artifact` and
 * `log_model` upload through the gateway and downloads come back the same way.
 */
export class ArtifactStore {
  private readonly root: string

  constructor(
    directory: string,
    /** The largest upload accepted (limits.uploadBytes). */
    private readonly maxUploadBytes: number,
  ) {
    this.root = resolve(directory)
  }

  /**
   * A path under the root, refusing anything that would leave it (`..`,
   * absolute paths) and any symlink on the way: a link planted under the
   * root must not lead reads, writes or deletes outside it. `target: 'file'`
   * also refuses the root itself (`//`, `%2F`): no upload replaces it and
   * no delete removes it.
   */
  async locate(relative: string, target: 'file' | 'directory'): Promise<string> {
    const segments = relative.split('/').filter((segment) => segment.length > 0)
    if (segments.some((segment) => segment === '..' || segment === '.' || segment.includes('\\') || segment.includes('\0'))) {
      throw invalidParameter(`Invalid artifact path: '${relative}'`)
    }
    if (target === 'file' && segments.length === 0) throw invalidParameter('An artifact path must name a file or directory under the root')
    const located = resolve(this.root, ...segments)
    if (located !== this.root && !located.startsWith(this.root + sep)) throw invalidParameter(`Invalid artifact path: '${relative}'`)
    let current = this.root
    for (const segment of segments) {
      current = join(current, segment)
      const info = await lstat(current).catch(() => null)
      if (!info) break
      if (info.isSymbolicLink()) throw invalidParameter(`Invalid artifact path: '${relative}' (symbolic links are not followed)`)
    }
    return located
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

  async list(relative: string): Promise<FileInfo[]> {
    const directory = await this.locate(relative, 'directory')
    let entries
    try {
      entries = await readdir(directory, { withFileTypes: true })
    } catch {
      return [] // MLflow lists nothing for a path that is not there.
    }
    const files = await Promise.all(
      entries
        // Half-written uploads and links (which are never followed) are not artifacts.
        .filter((entry) => !entry.name.startsWith('.upload-') && !entry.isSymbolicLink())
        .map(async (entry): Promise<FileInfo> =>
          entry.isDirectory() ? { path: entry.name, is_dir: true } : { path: entry.name, is_dir: false, file_size: (await stat(join(directory, entry.name))).size },
        ),
    )
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  /**
   * Streams the request body into a temporary file, then into place; a
   * failed or oversized upload leaves nothing. `maxBytes` may lower the
   * store's limit for one route (the UI's uploads).
   */
  async upload(relative: string, body: IncomingMessage, maxBytes = this.maxUploadBytes): Promise<void> {
    const limit = Math.min(maxBytes, this.maxUploadBytes)
    const file = await this.locate(relative, 'file')
    const declared = Number(body.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) throw this.tooLarge(limit)
    await mkdir(dirname(file), { recursive: true })
    const partial = join(dirname(file), `.upload-${randomUUID()}`)
    let received = 0
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length
        done(received > limit ? new UploadTooLarge() : null, chunk)
      },
    })
    try {
      await pipeline(body, counted, createWriteStream(partial, { flags: 'wx' }))
      await rename(partial, file)
    } catch (error) {
      await rm(partial, { force: true })
      throw error instanceof UploadTooLarge ? this.tooLarge(limit) : error
    }
  }

  async download(relative: string, response: ServerResponse): Promise<void> {
    const file = await this.locate(relative, 'file')
    const info = await lstat(file).catch(() => null)
    if (!info?.isFile()) throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `File not found: ${relative}`)
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size })
    await pipeline(createReadStream(file), response)
  }

  async delete(relative: string): Promise<void> {
    // rm removes a link inside the tree as a link, never what it points to.
    await rm(await this.locate(relative, 'file'), { recursive: true, force: true })
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
async function requirePathPermission(target: ApiTarget, path: string, needed: Permission): Promise<void> {
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
