import { useGraphql } from '../graphql'

interface RunDetail {
  id: string
  name: string
  status: string
  startTime: string | null
  endTime: string | null
  backend: { id: string }
  experiment: { name: string } | null
  params: { key: string; value: string }[]
  tags: { key: string; value: string }[]
  metrics: { key: string; value: number | string; step: number }[]
}

const RUN = `query DashboardRun($id: ID!) {
  run(id: $id) {
    id name status startTime endTime backend { id } experiment { name }
    params { key value } tags { key value } metrics { key value step }
  }
}`

/** One run: what it is, its params, tags and latest metrics. */
export function RunPage(props: { runGid: string }) {
  const answer = useGraphql<{ run: RunDetail | null }>(RUN, { id: props.runGid }, props.runGid)
  const errors = answer?.errors ?? []
  const run = answer === null ? undefined : (answer.data?.run ?? null)
  if (errors.length > 0) return <div class="error" role="alert">{errors[0].message}</div>
  if (run === undefined) return <p>Loading…</p>
  if (run === null) return <p role="alert">No such run (or not one you may read).</p>
  return (
    <section>
      <h1>{run.name}</h1>
      <dl>
        <dt>Backend</dt>
        <dd>{run.backend.id}</dd>
        <dt>Experiment</dt>
        <dd>{run.experiment?.name ?? ''}</dd>
        <dt>Status</dt>
        <dd>{run.status}</dd>
        <dt>Started</dt>
        <dd>{run.startTime ? new Date(run.startTime).toLocaleString() : ''}</dd>
      </dl>
      <h2>Metrics (latest)</h2>
      <KeyValues rows={run.metrics.map((metric) => ({ key: metric.key, value: `${String(metric.value)} (step ${metric.step})` }))} />
      <h2>Params</h2>
      <KeyValues rows={run.params} />
      <h2>Tags</h2>
      <KeyValues rows={run.tags} />
    </section>
  )
}

function KeyValues(props: { rows: { key: string; value: string }[] }) {
  if (props.rows.length === 0) return <p>None.</p>
  return (
    <table>
      <tbody>
        {props.rows.map((row) => (
          <tr key={row.key}>
            <th>{row.key}</th>
            <td>{row.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
