import { isAbsolute, resolve } from 'node:path'
import { invalidParameter } from './errors.js'

/** Schemes whose artifact repositories connect to the host the URI names (MLflow's store/artifact/host_policy.py). */
const HOST_ADDRESSED_SCHEMES = new Set(['ftp', 'sftp', 'hdfs', 'viewfs', 'http', 'https', 'mlflow-artifacts', 'r2', 'b2', 'abfss'])
/** Schemes whose last path segment Python's urlparse splits `;params` off. */
const SCHEMES_WITH_PARAMS = new Set(['', 'ftp', 'hdl', 'prospero', 'http', 'imap', 'https', 'shttp', 'rtsp', 'rtspu', 'sip', 'sips', 'mms', 'sftp', 'tel'])
/** MLflow's MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH default. */
const MAX_LENGTH = 2048

/**
 * An experiment's requested `artifact_location`, checked as MLflow's
 * experiments/create checks it (`_validate_storage_location_uri`) and
 * stored as its SQL store stores it (a relative local path made absolute).
 * mlgate serves no artifact root of its own with a host, so every
 * host-addressed URI is refused, as MLflow refuses one outside its
 * configured storage: a stored location must not make anything connect to
 * a host a client chose.
 */
export function requestedArtifactLocation(value: string): string {
  const scheme = schemeOf(value)
  const afterScheme = scheme ? value.slice(value.indexOf(':') + 1) : value
  const hashAt = afterScheme.indexOf('#')
  const withoutFragment = hashAt >= 0 ? afterScheme.slice(0, hashAt) : afterScheme
  const queryAt = withoutFragment.indexOf('?')
  const path = queryAt >= 0 ? withoutFragment.slice(0, queryAt) : withoutFragment
  const lastSegment = path.slice(path.lastIndexOf('/') + 1)
  const hasParams = SCHEMES_WITH_PARAMS.has(scheme) && lastSegment.includes(';') && lastSegment.slice(lastSegment.indexOf(';') + 1) !== ''
  if ((hashAt >= 0 && afterScheme.slice(hashAt + 1) !== '') || hasParams) throw invalidParameter("'artifact_location' URL can't include fragments or params.")
  if (queryAt >= 0 && decodedRepeatedly(withoutFragment.slice(queryAt + 1)).includes('..')) throw invalidParameter('Invalid query string')
  const addressesHost = HOST_ADDRESSED_SCHEMES.has(scheme) && !(scheme === 'mlflow-artifacts' && !path.startsWith('//'))
  if (addressesHost) {
    throw invalidParameter(
      `'artifact_location' cannot use the '${scheme}' scheme: the '${scheme}' scheme addresses a host other than the tracking server's configured artifact storage, ` +
        'so the server would connect to the host named in the URI. Set the MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES environment variable on the server to allow it.',
    )
  }
  if (value.startsWith('runs:')) throw invalidParameter(`Artifact location cannot be a runs:/ URI. Given: '${value}'`)
  if (value.length > MAX_LENGTH) {
    throw invalidParameter(
      `Invalid artifact path length. The length of the artifact path cannot be greater than ${MAX_LENGTH} characters. ` +
        'To configure this limit, please set the MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH environment variable.',
    )
  }
  return scheme === '' && !isAbsolute(value) ? resolve(value) : value
}

/** The scheme as MLflow's get_uri_scheme reads it: lower-cased, and none for a drive letter (`C:\...`). */
function schemeOf(uri: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)
  if (!match || match[1].length === 1) return ''
  return match[1].toLowerCase()
}

/** Percent-decoded until stable (MLflow decodes up to ten times, so `%252e%252e` is `..` too). */
function decodedRepeatedly(text: string): string {
  let current = text
  for (let round = 0; round < 10; round += 1) {
    let next: string
    try {
      next = decodeURIComponent(current)
    } catch {
      return current
    }
    if (next === current) return current
    current = next
  }
  throw invalidParameter('Invalid query string')
}
