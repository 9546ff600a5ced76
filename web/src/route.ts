/**
 * The page a location hash names, with the page's state in the hash's query
 * (`#/compare?run=…&run=…&x=wall`), so a view can be shared by its URL.
 * MLflow's own deep links (`#/experiments/<id>`,
 * `#/experiments/<id>/runs/<runId>`, `#/models/<name>/versions/<n>`, the
 * links its clients print) name records of the backend the MLflow API
 * serves (`mlflowBackend`); the dashboard's own links name any record by its
 * global id.
 */
export type Route =
  | { page: 'runs'; state: RunsState }
  | { page: 'run'; runGid: string }
  | { page: 'compare'; state: CompareState }
  | { page: 'models'; state: ModelsState }
  | { page: 'version'; versionGid: string }
  | { page: 'lineage'; gid: string }
  | { page: 'not-found'; hash: string }

export type SortDirection = 'ASC' | 'DESC'
export type RunSortField = 'NAME' | 'STATUS' | 'START_TIME' | 'END_TIME' | 'METRIC' | 'PARAM'

export interface RunsState {
  experimentGid: string | null
  /** MLflow search syntax, as typed. */
  filter: string
  sort: { field: RunSortField; key: string | null; direction: SortDirection } | null
  paramColumns: string[]
  metricColumns: string[]
  /** The page's cursor; null: the first page. */
  after: string | null
  selected: string[]
}

export type XAxis = 'step' | 'wall' | 'relative'

export interface CompareState {
  runs: string[]
  x: XAxis
  logScale: boolean
  /** EMA weight, 0 (none) to 0.99. */
  smoothing: number
}

export interface ModelsState {
  promotion: string | null
  backend: string | null
  name: string
  after: string | null
}

const SORT_FIELDS: readonly RunSortField[] = ['NAME', 'STATUS', 'START_TIME', 'END_TIME', 'METRIC', 'PARAM']

export function routeOf(hash: string, mlflowBackend: string | null): Route {
  const [rawPath, rawQuery = ''] = hash.replace(/^#/, '').split('?', 2)
  const path = rawPath.replace(/\/+$/, '')
  const query = new URLSearchParams(rawQuery)
  const part = (text: string) => decodeURIComponent(text)
  if (path === '' || path === '/runs') return { page: 'runs', state: runsStateOf(query, null) }
  const ownRun = /^\/runs\/([^/]+)$/.exec(path)
  if (ownRun) return { page: 'run', runGid: part(ownRun[1]) }
  if (path === '/compare') return { page: 'compare', state: compareStateOf(query) }
  if (path === '/models') return { page: 'models', state: modelsStateOf(query) }
  const ownVersion = /^\/versions\/([^/]+)$/.exec(path)
  if (ownVersion) return { page: 'version', versionGid: part(ownVersion[1]) }
  const lineage = /^\/lineage\/([^/]+)$/.exec(path)
  if (lineage) return { page: 'lineage', gid: part(lineage[1]) }
  if (mlflowBackend !== null) {
    const mlflowRun = /^\/experiments\/([^/]+)\/runs\/([^/]+)$/.exec(path)
    if (mlflowRun) return { page: 'run', runGid: `Run:${mlflowBackend}:${part(mlflowRun[2])}` }
    const mlflowExperiment = /^\/experiments\/([^/]+)$/.exec(path)
    if (mlflowExperiment) return { page: 'runs', state: runsStateOf(query, `Experiment:${mlflowBackend}:${part(mlflowExperiment[1])}`) }
    const mlflowVersion = /^\/models\/(.+)\/versions\/(\d+)$/.exec(path)
    if (mlflowVersion) return { page: 'version', versionGid: `ModelVersion:${mlflowBackend}:${part(mlflowVersion[1])}/${mlflowVersion[2]}` }
  }
  return { page: 'not-found', hash }
}

function runsStateOf(query: URLSearchParams, experimentGid: string | null): RunsState {
  const [direction, field, ...key] = (query.get('sort') ?? '').split(',')
  const sortField = SORT_FIELDS.find((known) => known === field)
  return {
    experimentGid: query.get('experiment') ?? experimentGid,
    filter: query.get('filter') ?? '',
    sort: sortField ? { field: sortField, key: key.length > 0 ? key.join(',') : null, direction: direction === 'ASC' ? 'ASC' : 'DESC' } : null,
    paramColumns: query.getAll('param'),
    metricColumns: query.getAll('metric'),
    after: query.get('after'),
    selected: query.getAll('select'),
  }
}

function compareStateOf(query: URLSearchParams): CompareState {
  const x = query.get('x')
  const smoothing = Number(query.get('smooth') ?? 0)
  return {
    runs: query.getAll('run'),
    x: x === 'wall' || x === 'relative' ? x : 'step',
    logScale: query.get('log') === '1',
    smoothing: Number.isFinite(smoothing) ? Math.min(0.99, Math.max(0, smoothing)) : 0,
  }
}

function modelsStateOf(query: URLSearchParams): ModelsState {
  return { promotion: query.get('promotion'), backend: query.get('backend'), name: query.get('name') ?? '', after: query.get('after') }
}

/** A hash with its query, leaving out empty values so links stay short. */
function hashOf(path: string, entries: [string, string | null | undefined][]): string {
  const query = new URLSearchParams()
  for (const [name, value] of entries) if (value !== null && value !== undefined && value !== '') query.append(name, value)
  const text = query.toString()
  return text ? `#${path}?${text}` : `#${path}`
}

export function runsLink(state: RunsState): string {
  return hashOf('/', [
    ['experiment', state.experimentGid],
    ['filter', state.filter],
    ['sort', state.sort ? [state.sort.direction, state.sort.field, ...(state.sort.key !== null ? [state.sort.key] : [])].join(',') : null],
    ...state.paramColumns.map((key): [string, string] => ['param', key]),
    ...state.metricColumns.map((key): [string, string] => ['metric', key]),
    ['after', state.after],
    ...state.selected.map((id): [string, string] => ['select', id]),
  ])
}

export function compareLink(state: CompareState): string {
  return hashOf('/compare', [
    ...state.runs.map((id): [string, string] => ['run', id]),
    ['x', state.x === 'step' ? null : state.x],
    ['log', state.logScale ? '1' : null],
    ['smooth', state.smoothing > 0 ? String(state.smoothing) : null],
  ])
}

export function modelsLink(state: ModelsState): string {
  return hashOf('/models', [
    ['promotion', state.promotion],
    ['backend', state.backend],
    ['name', state.name],
    ['after', state.after],
  ])
}

/** The dashboard's link to a run, whatever its backend. */
export const runLink = (runGid: string) => `#/runs/${encodeURIComponent(runGid)}`
export const versionLink = (versionGid: string) => `#/versions/${encodeURIComponent(versionGid)}`
export const lineageLink = (gid: string) => `#/lineage/${encodeURIComponent(gid)}`

/** The page of any record the lineage graph names. */
export function recordLink(typename: string, gid: string): string {
  if (typename === 'Run') return runLink(gid)
  if (typename === 'ModelVersion') return versionLink(gid)
  if (typename === 'Experiment') return runsLink({ ...EMPTY_RUNS_STATE, experimentGid: gid })
  return lineageLink(gid)
}

export const EMPTY_RUNS_STATE: RunsState = { experimentGid: null, filter: '', sort: null, paramColumns: [], metricColumns: [], after: null, selected: [] }

/** Moves to a page (a new history entry, so Back returns). */
export function navigate(hash: string): void {
  location.hash = hash
}
