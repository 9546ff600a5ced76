/**
 * `segments` appended to the path of an artifact URI, before any query, as
 * MLflow's append_to_uri_path does: `s3://bucket/base/?v=1` and `run/artifacts`
 * give `s3://bucket/base/run/artifacts?v=1`.
 */
export function appendToUriPath(uri: string, ...segments: string[]): string {
  const queryAt = uri.indexOf('?')
  const [base, query] = queryAt >= 0 ? [uri.slice(0, queryAt), uri.slice(queryAt)] : [uri, '']
  return `${base}${base.endsWith('/') ? '' : '/'}${segments.join('/')}${query}`
}
