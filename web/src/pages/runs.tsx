import { useGraphql } from '../graphql'
import { runLink } from '../route'

interface RunRow {
  id: string
  name: string
  status: string
  startTime: string | null
  backend: { id: string }
  experiment: { name: string } | null
}

const RUNS = `query DashboardRuns($experimentIds: [ID!], $first: Int) {
  runs(experimentIds: $experimentIds, first: $first) {
    totalCount
    nodes { id name status startTime backend { id } experiment { name } }
  }
}`

/** Every backend's runs in one table (or one experiment's); a backend that failed is named in a banner above the rows the others gave. */
export function RunsPage(props: { experimentGid: string | null }) {
  const answer = useGraphql<{ runs: { totalCount: number | null; nodes: RunRow[] } }>(RUNS, { experimentIds: props.experimentGid ? [props.experimentGid] : null, first: 50 }, props.experimentGid ?? '')
  const rows = answer === null ? null : (answer.data?.runs.nodes ?? [])
  const total = answer?.data?.runs.totalCount ?? null
  const errors = answer?.errors ?? []
  const failedBackends = [...new Set(errors.flatMap((error) => (error.extensions?.backend ? [error.extensions.backend] : [])))]
  return (
    <section>
      <h1>Runs{total !== null && <small> ({total})</small>}</h1>
      {failedBackends.length > 0 && <div class="banner" role="alert">Not answering: {failedBackends.join(', ')}. The runs below are from the other backends.</div>}
      {errors.length > 0 && failedBackends.length === 0 && <div class="error" role="alert">{errors[0].message}</div>}
      {rows === null ? (
        <p>Loading…</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Run</th>
              <th>Backend</th>
              <th>Experiment</th>
              <th>Status</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((run) => (
              <tr key={run.id} data-run={run.id}>
                <td>
                  <a href={runLink(run.id)}>{run.name}</a>
                </td>
                <td>{run.backend.id}</td>
                <td>{run.experiment?.name ?? ''}</td>
                <td>{run.status}</td>
                <td>{run.startTime ? new Date(run.startTime).toLocaleString() : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
