import { createReadStream } from 'node:fs'
import { lstat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { posix } from 'node:path'
import { pipeline } from 'node:stream/promises'
import mime from 'mime-types'
import { type ArtifactStore, sendJson } from './artifacts.js'
import { MlflowApiError, invalidParameter } from './errors.js'
import { downloadUri, requireVersion, versionIdOf } from './model-versions.js'
import { requireRun } from './runs.js'
import type { ApiTarget } from './target.js'

/**
 * The file routes MLflow's UI calls beside the REST API (mlflow/server/__init__.py):
 * `GET /get-artifact` (a run's file), `GET /model-versions/get-artifact` (a
 * model version's file) and `POST /ajax-api/2.0/mlflow/upload-artifact` (a
 * file into a run, at most 10 MB). Files are served as MLflow serves them:
 * always as attachments, with its content types, so a browser never renders
 * an artifact on the gateway's origin.
 */
export const ARTIFACT_FILE_PATHS = ['/get-artifact', '/model-versions/get-artifact', '/ajax-api/2.0/mlflow/upload-artifact'] as const

/** MLflow's cap on the UI's uploads (handlers.py, upload_artifact_handler). */
const UI_UPLOAD_BYTES = 10 * 1024 * 1024

/** Extensions MLflow serves as text/plain (mlflow/utils/mime_type_utils.py, get_text_extensions), and its extensionless model files. */
const TEXT_EXTENSIONS = new Set(['txt', 'log', 'err', 'cfg', 'conf', 'cnf', 'cf', 'ini', 'properties', 'prop', 'hocon', 'toml', 'yaml', 'yml', 'xml', 'json', 'js', 'py', 'py3', 'csv', 'tsv', 'md', 'rst', 'ipynb', 'MLmodel', 'MLproject'])

export async function handleArtifactFileRequest(
  store: ArtifactStore,
  target: ApiTarget,
  path: (typeof ARTIFACT_FILE_PATHS)[number],
  url: URL,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const param = (name: string) => url.searchParams.get(name) ?? undefined
  const method = path === '/ajax-api/2.0/mlflow/upload-artifact' ? 'POST' : 'GET'
  if (request.method !== method) throw new MlflowApiError('ENDPOINT_NOT_FOUND', `No endpoint for ${request.method ?? ''} ${path}`)
  switch (path) {
    case '/get-artifact': {
      const run = await requireRun(target, param('run_id') ?? param('run_uuid') ?? '')
      return sendArtifact(store, response, rootOf(store, run.artifactUri, `run ${run.nativeId}`), requiredPath(param('path')))
    }
    case '/model-versions/get-artifact': {
      const version = await requireVersion(target, versionIdOf({ name: param('name'), version: param('version') }))
      return sendArtifact(store, response, rootOf(store, await downloadUri(target, version), `model version ${version.nativeId}`), requiredPath(param('path')))
    }
    case '/ajax-api/2.0/mlflow/upload-artifact': {
      const runId = param('run_uuid')
      if (!runId) throw invalidParameter('Request must specify run_uuid.')
      const requested = param('path')
      if (!requested) throw invalidParameter('Request must specify path.')
      const file = safeRelativePath(requested)
      const declared = Number(request.headers['content-length'])
      if (declared > UI_UPLOAD_BYTES) throw invalidParameter('Artifact size is too large. Max size is 10MB.')
      if (declared === 0) throw invalidParameter('Request must specify data.')
      const run = await requireRun(target, runId)
      await store.upload(posix.join(rootOf(store, run.artifactUri, `run ${run.nativeId}`), file), request, UI_UPLOAD_BYTES)
      // MLflow answers an empty JSON body here.
      return sendJson(response, null)
    }
  }
}

/** MLflow requires `path` (a missing one is a 400 from Flask's request.args), and a safe one. */
function requiredPath(path: string | undefined): string {
  if (path === undefined) throw invalidParameter("Missing required parameter 'path'")
  return safeRelativePath(path)
}

/**
 * MLflow's validate_path_is_safe (mlflow/utils/uri.py): a path to join under
 * a run's or a version's root, percent-decoded until it no longer changes,
 * with no `#`, no backslash, no `..` segment and nothing absolute. Joined
 * unchecked, `../../x` would leave the run for another place in the store.
 */
function safeRelativePath(path: string): string {
  let decoded = path
  for (let round = 0; round < 10; round++) {
    let next: string
    try {
      next = decodeURIComponent(decoded)
    } catch {
      break
    }
    if (next === decoded) break
    decoded = next
  }
  const windowsAbsolute = /^[A-Za-z]:/.test(decoded)
  if (decoded.includes('#') || decoded.includes('\\') || decoded.includes('\0') || decoded.split('/').includes('..') || decoded.startsWith('/') || windowsAbsolute) {
    throw invalidParameter('Invalid path')
  }
  return decoded
}

/** The directory under the store an artifact root names; roots elsewhere (s3://, a local path) are not this server's to serve. */
function rootOf(store: ArtifactStore, uri: string | null, owner: string): string {
  const root = uri === null ? null : store.pathOfUri(uri)
  if (root === null) throw new MlflowApiError('NOT_IMPLEMENTED', `the artifacts of ${owner} live at ${uri ?? 'no location'}, which this server does not serve`)
  return root
}

async function sendArtifact(store: ArtifactStore, response: ServerResponse, root: string, relative: string): Promise<void> {
  const file = await store.locate(posix.join(root, relative), 'file')
  const info = await lstat(file).catch(() => null)
  if (info?.isDirectory()) throw invalidParameter(`Artifact path refers to a directory, not a file: '${relative}'`)
  if (!info?.isFile()) throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `File not found: ${relative}`)
  const name = posix.basename(relative)
  const contentType = contentTypeOf(name)
  response.writeHead(200, {
    'content-type': contentType,
    'content-length': info.size,
    'content-disposition': contentDisposition(name),
    'x-content-type-options': 'nosniff',
  })
  await pipeline(createReadStream(file), response)
}

/** MLflow's _guess_mime_type: its text extensions as text/plain, then the usual table, else binary. */
function contentTypeOf(name: string): string {
  const extension = posix.extname(name).slice(1) || name
  if (TEXT_EXTENSIONS.has(extension)) return 'text/plain'
  return mime.lookup(name) || 'application/octet-stream'
}

/** An attachment header (RFC 6266; RFC 5987 for names that are not ASCII), as MLflow builds it. */
function contentDisposition(name: string): string {
  const quoted = (value: string) => (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value) ? value : `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(name)) return `attachment; filename=${quoted(name)}`
  const fallback = name.normalize('NFKD').replace(/[^\x00-\x7f]/g, '') || 'download'
  return `attachment; filename=${quoted(fallback)}; filename*=UTF-8''${encodeURIComponent(name)}`
}
