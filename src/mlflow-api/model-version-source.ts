import { invalidParameter } from './errors.js'

/**
 * MLflow's checks on a model version's `source` (mlflow/server/handlers.py,
 * `_create_model_version` and the `_validate_source_*` helpers): a prompt's
 * source is MLflow's placeholder; a local path, a path that climbs out with
 * `..` (however percent-encoded) or holds a NUL is refused; `runs:/` names
 * the run given as `run_id`, `models:/m-...` the logged model given as
 * `model_id`; an `mlflow-artifacts` location must lie under the artifact
 * root of that run or model. mlgate never reads a source, but clients
 * download from it, and MLflow's answers are the contract.
 */

const PROMPT_SOURCES = new Set(['dummy-source', 'prompt-template'])

/** What the checks need to know about the records a request names. */
export interface SourceOwners {
  /** The artifact root of the run `run_id` names; null when the run does not exist. */
  runArtifactRoot(runId: string): Promise<string | null>
  /** The artifact location of the logged model `model_id` names; null when it does not exist. */
  modelArtifactRoot(modelId: string): Promise<string | null>
}

export async function checkModelVersionSource(
  source: string,
  request: { runId: string | null; modelId: string | null; isPrompt: boolean },
  owners: SourceOwners,
): Promise<void> {
  if (request.isPrompt) {
    if (!PROMPT_SOURCES.has(source)) throw invalidParameter(`Invalid prompt source: '${source}'. Prompt sources must use an MLflow placeholder.`)
    return
  }
  checkNotHostAddressed(source)
  const ownerName = request.modelId ? 'model_id' : 'run_id'
  // MLflow names the parameter the source's scheme calls for: model_id for models:/, run_id for runs:/.
  const notOwnedBy = (parameter: 'run_id' | 'model_id') =>
    invalidParameter(`Invalid model version source: '${source}'. The ${parameter} request parameter must identify the resource that contains the source.`)
  if (isLocal(source)) {
    throw invalidParameter(
      `Invalid model version source: '${source}'. To use a local path as a model version source, the ${ownerName} request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the ${ownerName}.`,
    )
  }
  checkNoRelativePaths(source)
  const { scheme, authority } = splitUri(source)
  if (request.modelId) {
    if (scheme === 'models') {
      if (authority) throw notOwnedBy('model_id')
      const embedded = loggedModelIdIn(source)
      if (embedded !== null) {
        if (embedded === request.modelId) return
        throw notOwnedBy('model_id')
      }
    }
    if (scheme === 'runs') throw notOwnedBy('model_id')
    if (isMlflowArtifactSource(source)) {
      const root = await owners.modelArtifactRoot(request.modelId)
      if (root === null || !isWithinRoot(source, root)) throw notOwnedBy('model_id')
    }
    return
  }
  if (scheme === 'runs') {
    if (authority) throw notOwnedBy('run_id')
    const sourceRunId = /^runs:\/+([^/]+)/.exec(source)?.[1]
    if (request.runId && sourceRunId === request.runId) return
    throw notOwnedBy('run_id')
  }
  if (scheme === 'models' && (authority || loggedModelIdIn(source) !== null)) throw notOwnedBy('model_id')
  if (isMlflowArtifactSource(source)) {
    const root = request.runId ? await owners.runArtifactRoot(request.runId) : null
    if (root === null || !isWithinRoot(source, root)) throw notOwnedBy('run_id')
  }
}

/** Schemes whose URIs name a host a server would connect to (mlflow/store/artifact/host_policy.py). */
const HOST_ADDRESSED_SCHEMES = new Set(['ftp', 'sftp', 'hdfs', 'viewfs', 'http', 'https', 'mlflow-artifacts', 'r2', 'b2', 'abfss'])

/** A source naming some other host is refused (`mlflow-artifacts:/path` without a host is this server's own). */
function checkNotHostAddressed(source: string): void {
  const { scheme, authority } = splitUri(source)
  if (!HOST_ADDRESSED_SCHEMES.has(scheme)) return
  if (scheme === 'mlflow-artifacts' && authority === null) return
  throw invalidParameter(
    `'source' cannot use the '${scheme}' scheme: the '${scheme}' scheme addresses a host other than the tracking server's configured artifact storage, so the server would connect to the host named in the URI. Set the MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES environment variable on the server to allow it.`,
  )
}

/** `models:/m-<32 hex>` (a logged model), not `models:/<name>/<version>`. */
function loggedModelIdIn(source: string): string | null {
  return /^models:\/(m-[0-9a-f]{32})(\/|$)/.exec(source)?.[1] ?? null
}

/**
 * A URI's scheme (lower-cased, '' for a plain path), authority (null when
 * there is no `//`) and path without query or fragment: the split Python's
 * `urlparse` makes, which every check here reads.
 */
function splitUri(uri: string): { scheme: string; authority: string | null; path: string } {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1].toLowerCase() ?? ''
  const rest = uri.slice(scheme ? scheme.length + 1 : 0)
  const authority = rest.startsWith('//') ? (/^\/\/([^/?#]*)/.exec(rest)?.[1] ?? '') : null
  const path = (authority === null ? rest : rest.slice(2 + authority.length)).replace(/[?#].*$/, '')
  return { scheme, authority, path }
}

/** A path (`/foo`, `foo`) or a `file:` URI on this machine, as MLflow's `is_local_uri` reads it. */
function isLocal(source: string): boolean {
  const { scheme, authority } = splitUri(source)
  if (scheme === '') return true
  if (scheme !== 'file') return false
  const host = (authority ?? '').replace(/^[^@]*@/, '').toLowerCase()
  return host === '' || host === '.' || host.startsWith('localhost') || host.startsWith('127.0.0.1')
}

/** Percent-decoding until nothing changes, as MLflow does before looking for `..`. */
function fullyDecoded(text: string, plusIsSpace: boolean): string {
  let current = text
  for (let i = 0; i < 10; i++) {
    let next: string
    try {
      next = decodeURIComponent(plusIsSpace ? current.replaceAll('+', ' ') : current)
    } catch {
      return current
    }
    if (next === current) return current
    current = next
  }
  return current
}

/**
 * The source's path, decoded until it no longer changes, must be absolute
 * and already normal: no `.` or `..` segment (a `..` anywhere in the
 * decoded source counts), no NUL, not empty.
 */
function checkNoRelativePaths(source: string): void {
  const decoded = fullyDecoded(source, true)
  const path = splitUri(decoded).path.replace(/\/+$/, '').replace(/\/+/g, '/')
  const climbs = decoded.split('/').includes('..') || path.split('/').some((segment) => segment === '.' || segment === '..')
  if (path.includes('\u0000') || climbs || !path.startsWith('/')) {
    throw invalidParameter(
      `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
    )
  }
}

/** `mlflow-artifacts:` URIs, and http(s) URLs through the artifact proxy's route. */
function isMlflowArtifactSource(source: string): boolean {
  const { scheme, parts } = normalizedParts(source)
  if (scheme === 'mlflow-artifacts') return true
  const route = ['api', '2.0', 'mlflow-artifacts', 'artifacts']
  return (scheme === 'http' || scheme === 'https') && parts.some((_, i) => route.every((part, j) => parts[i + j] === part))
}

function normalizedParts(uri: string): { scheme: string; authority: string; parts: string[] } {
  const { scheme, authority, path } = splitUri(uri)
  return { scheme, authority: (authority ?? '').toLowerCase(), parts: path.split('/').filter(Boolean).map((part) => fullyDecoded(part, false)) }
}

function isWithinRoot(source: string, root: string): boolean {
  const inner = normalizedParts(source)
  const outer = normalizedParts(root)
  return inner.scheme === outer.scheme && inner.authority === outer.authority && outer.parts.length > 0 && outer.parts.every((part, i) => inner.parts[i] === part)
}
