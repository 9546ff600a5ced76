/**
 * The page a location hash names. MLflow's own deep links
 * (`#/experiments/<id>`, `#/experiments/<id>/runs/<runId>`, the links its
 * clients print) name records of the backend the MLflow API serves
 * (`mlflowBackend`); the dashboard's own links name any record by its global id.
 */
export type Route = { page: 'runs'; experimentGid: string | null } | { page: 'run'; runGid: string } | { page: 'not-found'; hash: string }

export function routeOf(hash: string, mlflowBackend: string | null): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '')
  const part = (text: string) => decodeURIComponent(text)
  if (path === '' || path === '/runs') return { page: 'runs', experimentGid: null }
  const ownRun = /^\/runs\/([^/]+)$/.exec(path)
  if (ownRun) return { page: 'run', runGid: part(ownRun[1]) }
  if (mlflowBackend !== null) {
    const mlflowRun = /^\/experiments\/([^/]+)\/runs\/([^/]+)$/.exec(path)
    if (mlflowRun) return { page: 'run', runGid: `Run:${mlflowBackend}:${part(mlflowRun[2])}` }
    const mlflowExperiment = /^\/experiments\/([^/]+)$/.exec(path)
    if (mlflowExperiment) return { page: 'runs', experimentGid: `Experiment:${mlflowBackend}:${part(mlflowExperiment[1])}` }
  }
  return { page: 'not-found', hash }
}

/** The dashboard's link to a run, whatever its backend. */
export const runLink = (runGid: string) => `#/runs/${encodeURIComponent(runGid)}`
