import { useState } from 'preact/hooks'
import { DraftInput } from '../components/draft-input'
import { FilterError } from '../components/filter-error'
import { HealthBadges } from '../components/health-badges'
import { PartialBanner } from '../components/partial-banner'
import { DashboardExperimentsDocument, DashboardRunsDocument, type RunOrder } from '../generated/graphql'
import { useGraphql } from '../graphql'
import { type RunSortField, type RunsState, compareLink, navigate, runLink, runsLink } from '../route'

const PAGE_SIZE = 50

/**
 * Every backend's runs in one table (or one experiment's), filtered with
 * MLflow's search syntax, sorted by any sortable column (a param's or a
 * metric's too), with chosen param and metric columns, paged by cursor, and
 * runs selected for Compare. All of it lives in the URL.
 */
export function RunsPage(props: { state: RunsState }) {
  const { state } = props
  const go = (change: Partial<RunsState>) => navigate(runsLink({ ...state, ...change }))
  const orderBy: RunOrder[] | null = state.sort ? [{ field: state.sort.field, key: state.sort.key, direction: state.sort.direction }] : null
  const variables = {
    experimentIds: state.experimentGid ? [state.experimentGid] : null,
    mlflowFilter: state.filter.trim() === '' ? null : state.filter,
    orderBy,
    first: PAGE_SIZE,
    after: state.after,
    paramKeys: state.paramColumns,
    metricKeys: state.metricColumns,
  }
  const { answer } = useGraphql(DashboardRunsDocument, variables, JSON.stringify(variables))
  // Cursors of the pages before this one, for Previous (a cursor only leads forward).
  const [trail, setTrail] = useState<(string | null)[]>([])
  const runs = answer?.data?.runs ?? null
  const errors = answer?.errors ?? []
  const filterError = errors.find((error) => error.extensions?.code === 'BAD_USER_INPUT' && error.message.startsWith('mlflowFilter'))
  const paramKeys = new Set([...state.paramColumns, ...(runs?.nodes.flatMap((run) => run.paramKeys.map((entry) => entry.key)) ?? [])])
  const metricKeys = new Set([...state.metricColumns, ...(runs?.nodes.flatMap((run) => run.metricKeys.map((entry) => entry.key)) ?? [])])
  const sortBy = (field: RunSortField, key: string | null = null) => {
    const same = state.sort?.field === field && state.sort.key === key
    setTrail([])
    go({ sort: { field, key, direction: same && state.sort?.direction === 'DESC' ? 'ASC' : 'DESC' }, after: null })
  }
  /** A column header that sorts by it: descending first, ascending on a second click. */
  const sortButton = (label: string, field: RunSortField, key: string | null = null) => {
    const sorted = state.sort?.field === field && state.sort.key === key
    return (
      <button type="button" class="sort" onClick={() => sortBy(field, key)}>
        {label}
        {sorted ? (state.sort?.direction === 'DESC' ? ' ▼' : ' ▲') : ''}
      </button>
    )
  }
  const toggle = (list: string[], item: string) => (list.includes(item) ? list.filter((entry) => entry !== item) : [...list, item])
  return (
    <div class="with-sidebar">
      <ExperimentList selected={state.experimentGid} onSelect={(experimentGid) => go({ experimentGid, after: null })} />
      <section>
        <h1>
          Runs{runs?.totalCount != null && <small> ({runs.totalCount})</small>}
          <HealthBadges />
        </h1>
        <form
          class="filter"
          onSubmit={(event) => {
            event.preventDefault()
            const text = new FormData(event.currentTarget).get('filter')
            setTrail([])
            go({ filter: typeof text === 'string' ? text : '', after: null })
          }}
        >
          <DraftInput name="filter" label="Filter" placeholder="metrics.acc > 0.9 and params.lr = '0.01'" applied={state.filter} />
          <button type="submit">Filter</button>
        </form>
        {filterError && <FilterError filter={state.filter} error={filterError} />}
        <PartialBanner errors={filterError ? [] : errors} what="runs" />
        <details class="columns">
          <summary>Columns</summary>
          <fieldset>
            <legend>Params</legend>
            {[...paramKeys].sort().map((key) => (
              <label key={key}>
                <input type="checkbox" checked={state.paramColumns.includes(key)} onChange={() => go({ paramColumns: toggle(state.paramColumns, key) })} /> {key}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Metrics</legend>
            {[...metricKeys].sort().map((key) => (
              <label key={key}>
                <input type="checkbox" checked={state.metricColumns.includes(key)} onChange={() => go({ metricColumns: toggle(state.metricColumns, key) })} /> {key}
              </label>
            ))}
          </fieldset>
        </details>
        <p class="actions">
          <a
            class={state.selected.length === 0 ? 'button disabled' : 'button'}
            href={compareLink({ runs: state.selected, x: 'step', logScale: false, smoothing: 0 })}
            aria-disabled={state.selected.length === 0}
          >
            Compare {state.selected.length} selected
          </a>
          {state.selected.length > 0 && (
            <button type="button" onClick={() => go({ selected: [] })}>
              Clear selection
            </button>
          )}
        </p>
        {runs === null ? (
          answer === null && <p>Loading…</p>
        ) : (
          <table class="runs">
            <thead>
              <tr>
                <th aria-label="Select" />
                <th>
                  {sortButton('Run', 'NAME')}
                </th>
                <th>Backend</th>
                <th>Experiment</th>
                <th>
                  {sortButton('Status', 'STATUS')}
                </th>
                <th>
                  {sortButton('Started', 'START_TIME')}
                </th>
                {state.paramColumns.map((key) => (
                  <th key={`p:${key}`} data-param={key}>
                    {sortButton(key, 'PARAM', key)}
                  </th>
                ))}
                {state.metricColumns.map((key) => (
                  <th key={`m:${key}`} data-metric={key}>
                    {sortButton(key, 'METRIC', key)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {runs.nodes.map((run) => (
                <tr key={run.id} data-run={run.id}>
                  <td>
                    <input type="checkbox" aria-label={`Select ${run.name}`} checked={state.selected.includes(run.id)} onChange={() => go({ selected: toggle(state.selected, run.id) })} />
                  </td>
                  <td>
                    <a href={runLink(run.id)}>{run.name}</a>
                  </td>
                  <td>{run.backend.id}</td>
                  <td>{run.experiment?.name ?? ''}</td>
                  <td>{run.status}</td>
                  <td>{run.startTime ? new Date(run.startTime).toLocaleString() : ''}</td>
                  {state.paramColumns.map((key) => (
                    <td key={`p:${key}`}>{run.params.find((entry) => entry.key === key)?.value ?? ''}</td>
                  ))}
                  {state.metricColumns.map((key) => (
                    <td key={`m:${key}`} class="number">
                      {String(run.metrics.find((entry) => entry.key === key)?.value ?? '')}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="pager">
          <button
            type="button"
            disabled={trail.length === 0}
            onClick={() => {
              setTrail(trail.slice(0, -1))
              go({ after: trail[trail.length - 1] ?? null })
            }}
          >
            Previous
          </button>
          <button
            type="button"
            disabled={!runs?.pageInfo.hasNextPage}
            onClick={() => {
              setTrail([...trail, state.after])
              go({ after: runs?.pageInfo.endCursor ?? null })
            }}
          >
            Next
          </button>
        </p>
      </section>
    </div>
  )
}

/** Experiments of every backend, to narrow the table to one. */
function ExperimentList(props: { selected: string | null; onSelect: (experimentGid: string | null) => void }) {
  const variables = { first: 200, after: null }
  const { answer } = useGraphql(DashboardExperimentsDocument, variables, 'experiments')
  const experiments = answer?.data?.experiments.nodes ?? []
  return (
    <nav class="sidebar" aria-label="Experiments">
      <h2>Experiments</h2>
      <ul>
        <li>
          <button type="button" class={props.selected === null ? 'chosen' : ''} onClick={() => props.onSelect(null)}>
            All
          </button>
        </li>
        {experiments.map((experiment) => (
          <li key={experiment.id}>
            <button type="button" class={props.selected === experiment.id ? 'chosen' : ''} data-experiment={experiment.id} onClick={() => props.onSelect(experiment.id)}>
              {experiment.name} <small>{experiment.backend.id}</small>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  )
}
