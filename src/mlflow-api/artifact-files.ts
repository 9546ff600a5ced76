import type { IncomingMessage, ServerResponse } from 'node:http'
import { posix } from 'node:path'
import { pipeline } from 'node:stream/promises'
import mime from 'mime-types'
import { type ArtifactStore, sendJson } from './artifacts.js'
import { safeRelativePath } from './artifact-paths.js'
import { MlflowApiError, invalidParameter } from './errors.js'
import { downloadUri, requireVersion, versionIdOf } from './model-versions.js'
import { requireRun } from './runs.js'
import { requireLoggedModel } from './logged-models.js'
import type { ApiTarget } from './target.js'

/**
 * The file routes MLflow's UI calls beside the REST API (mlflow/server/__init__.py):
 * `GET /get-artifact` (a run's file), `GET /model-versions/get-artifact` (a
 * model version's file) and `POST /ajax-api/2.0/mlflow/upload-artifact` (a
 * file into a run, at most 10 MB), and
 * `GET /ajax-api/2.0/mlflow/logged-models/<id>/artifacts/files` (a logged
 * model's file). Files are served as MLflow serves them:
 * always as attachments, with its content types, so a browser never renders
 * an artifact on the gateway's origin.
 */
const FIXED_PATHS = { '/get-artifact': 'run-file', '/model-versions/get-artifact': 'version-file', '/ajax-api/2.0/mlflow/upload-artifact': 'upload' } as const
const LOGGED_MODEL_FILE = /^\/ajax-api\/2\.0\/mlflow\/logged-models\/([^/]+)\/artifacts\/files$/

export type ArtifactFileRoute = { kind: (typeof FIXED_PATHS)[keyof typeof FIXED_PATHS] } | { kind: 'logged-model-file'; modelId: string }

/** Which file route a request path names, if any. */
export function matchArtifactFileRoute(pathname: string): ArtifactFileRoute | null {
  if (Object.hasOwn(FIXED_PATHS, pathname)) return { kind: FIXED_PATHS[pathname as keyof typeof FIXED_PATHS] }
  const loggedModel = LOGGED_MODEL_FILE.exec(pathname)
  // Logged model ids are `m-<hex>`: nothing to percent-decode (anything else is simply not found).
  return loggedModel ? { kind: 'logged-model-file', modelId: loggedModel[1] } : null
}

/** MLflow's cap on the UI's uploads (handlers.py, upload_artifact_handler). */
const UI_UPLOAD_BYTES = 10 * 1024 * 1024

/** Extensions MLflow serves as text/plain (mlflow/utils/mime_type_utils.py, get_text_extensions), and its extensionless model files. */
const TEXT_EXTENSIONS = new Set(['txt', 'log', 'err', 'cfg', 'conf', 'cnf', 'cf', 'ini', 'properties', 'prop', 'hocon', 'toml', 'yaml', 'yml', 'xml', 'json', 'js', 'py', 'py3', 'csv', 'tsv', 'md', 'rst', 'ipynb', 'MLmodel', 'MLproject'])

export async function handleArtifactFileRequest(
  store: ArtifactStore,
  target: ApiTarget,
  route: ArtifactFileRoute,
  url: URL,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const param = (name: string) => url.searchParams.get(name) ?? undefined
  const method = route.kind === 'upload' ? 'POST' : 'GET'
  if (request.method !== method) throw new MlflowApiError('ENDPOINT_NOT_FOUND', `No endpoint for ${request.method ?? ''} ${url.pathname}`)
  switch (route.kind) {
    case 'run-file': {
      const run = await requireRun(target, param('run_id') ?? param('run_uuid') ?? '')
      return sendArtifact(store, response, store.servedRoot(run.artifactUri, `run ${run.nativeId}`), requiredPath(param('path')))
    }
    case 'version-file': {
      const version = await requireVersion(target, versionIdOf({ name: param('name'), version: param('version') }))
      return sendArtifact(store, response, store.servedRoot(await downloadUri(target, version), `model version ${version.nativeId}`), requiredPath(param('path')))
    }
    case 'logged-model-file': {
      const file = param('artifact_file_path')
      if (!file) throw new MlflowApiError('BAD_REQUEST', 'Request must include the "artifact_file_path" query parameter.')
      const model = await requireLoggedModel(target, route.modelId)
      return sendArtifact(store, response, store.servedRoot(model.artifactLocation, `logged model ${model.nativeId}`), safeRelativePath(file))
    }
    case 'upload': {
      const runId = param('run_uuid')
      if (!runId) throw invalidParameter('Request must specify run_uuid.')
      const requested = param('path')
      if (!requested) throw invalidParameter('Request must specify path.')
      const file = safeRelativePath(requested)
      const declared = Number(request.headers['content-length'])
      if (declared > UI_UPLOAD_BYTES) throw invalidParameter('Artifact size is too large. Max size is 10MB.')
      if (declared === 0) throw invalidParameter('Request must specify data.')
      const run = await requireRun(target, runId)
      // Reading the run needs READ; writing into it EDIT, as MLflow's auth app asks of this route.
      await target.tracking.guard.requireOnRun(target.key(run.nativeId), 'EDIT')
      await store.upload(posix.join(store.servedRoot(run.artifactUri, `run ${run.nativeId}`), file), request, UI_UPLOAD_BYTES)
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


async function sendArtifact(store: ArtifactStore, response: ServerResponse, root: string, relative: string): Promise<void> {
  const found = await store.entry(posix.join(root, relative))
  if (found?.kind === 'directory') throw invalidParameter(`Artifact path refers to a directory, not a file: '${relative}'`)
  if (found?.kind !== 'file') throw new MlflowApiError('RESOURCE_DOES_NOT_EXIST', `File not found: ${relative}`)
  const name = posix.basename(relative)
  const contentType = contentTypeOf(name)
  response.writeHead(200, {
    'content-type': contentType,
    'content-length': found.size,
    'content-disposition': contentDisposition(name),
    'x-content-type-options': 'nosniff',
  })
  await pipeline(found.read(), response)
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
