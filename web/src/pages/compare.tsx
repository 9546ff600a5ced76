import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ChartModel } from '../charts/chart-model'
import { type ChartOptions, type RunSeries, colorOf, pointOf } from '../charts/series'
import { MetricChart } from '../components/metric-chart'
import { PartialBanner } from '../components/partial-banner'
import { DashboardCompareRunsDocument, DashboardMetricUpdatesDocument, DashboardSeriesDocument } from '../generated/graphql'
import { graphql, subscribe, useGraphql } from '../graphql'
import { type CompareState, type XAxis, compareLink, navigate, runLink } from '../route'

/** Points asked per series: about one per pixel of a wide chart; the gateway reduces longer series to each bucket's min and max. */
const MAX_POINTS = 1000
const RESUBSCRIBE_MS = 1000

type CompareRuns = NonNullable<ReturnType<typeof useCompareRuns>>
interface CompareRun {
  id: string
  name: string
  status: string
  startTime: string | null
  backend: { id: string }
  params: { key: string; value: string }[]
  metrics: { key: string }[]
}

function useCompareRuns(ids: string[]) {
  const { answer } = useGraphql(DashboardCompareRunsDocument, { ids }, ids.join('\n'))
  if (answer === null) return null
  const runs = (answer.data?.nodes ?? []).flatMap((node): CompareRun[] => (node?.__typename === 'Run' ? [node] : []))
  return { runs, errors: answer.errors }
}

/**
 * The chosen runs side by side: one chart per metric key with every run's
 * curve (live while a run is RUNNING), and their params with the ones that
 * differ marked. Axis, scale and smoothing live in the URL.
 */
export function ComparePage(props: { state: CompareState; embedded?: boolean }) {
  const { state } = props
  const loaded = useCompareRuns(state.runs)
  const options: ChartOptions = useMemo(() => ({ x: state.x, logScale: state.logScale, smoothing: state.smoothing }), [state.x, state.logScale, state.smoothing])
  const go = (change: Partial<CompareState>) => navigate(compareLink({ ...state, ...change }))
  if (state.runs.length === 0) return <p>Select runs on the Runs page to compare them.</p>
  if (loaded === null) return <p>Loading…</p>
  if (props.embedded) return <Charts runs={loaded.runs} options={options} />
  return (
    <section>
      <h1>Compare {loaded.runs.length} runs</h1>
      <PartialBanner errors={loaded.errors} what="runs" />
      <form class="chart-controls" onSubmit={(event) => event.preventDefault()}>
        <label>
          X axis{' '}
          <select name="x" value={state.x} onChange={(event) => go({ x: event.currentTarget.value as XAxis })}>
            <option value="step">Step</option>
            <option value="wall">Wall time</option>
            <option value="relative">Relative time</option>
          </select>
        </label>
        <label>
          <input name="log" type="checkbox" checked={state.logScale} onChange={(event) => go({ logScale: event.currentTarget.checked })} /> Log scale
        </label>
        <label>
          Smoothing{' '}
          <input name="smooth" type="range" min={0} max={0.99} step={0.01} value={state.smoothing} onChange={(event) => go({ smoothing: Number(event.currentTarget.value) })} />{' '}
          {state.smoothing.toFixed(2)}
        </label>
      </form>
      <div class="compare">
        <Charts runs={loaded.runs} options={options} />
        <ParamsTable runs={loaded.runs} />
      </div>
    </section>
  )
}

/** One chart per metric key any of the runs has (a key first logged while watching gets its chart too). */
function Charts(props: { runs: CompareRuns['runs']; options: ChartOptions }) {
  const { runs, options } = props
  const [liveKeys, setLiveKeys] = useState<string[]>([])
  const keys = [...new Set([...runs.flatMap((run) => run.metrics.map((metric) => metric.key)), ...liveKeys])].sort()
  const models = useRef(new Map<string, ChartModel>())
  for (const key of keys) if (!models.current.has(key)) models.current.set(key, new ChartModel(key))
  useEffect(() => () => models.current.forEach((model) => model.dispose()), [])
  const ids = runs.map((run) => run.id)
  const loadSeries = (key: string, steps: { min: number; max: number } | null) => loadInto(models.current.get(key), runs, key, steps)
  useLivePoints(runs, (key) => {
    if (!models.current.has(key)) setLiveKeys((known) => (known.includes(key) ? known : [...known, key]))
    return models.current.get(key) ?? null
  })
  return (
    <div class="charts" data-runs={ids.length}>
      {keys.map((key) => (
        <ChartOf key={key} model={models.current.get(key) as ChartModel} options={options} load={(steps) => loadSeries(key, steps)} />
      ))}
    </div>
  )
}

function ChartOf(props: { model: ChartModel; options: ChartOptions; load: (steps: { min: number; max: number } | null) => Promise<void> }) {
  const load = useRef(props.load)
  load.current = props.load
  useEffect(() => {
    void load.current(null)
  }, [props.model])
  return <MetricChart model={props.model} options={props.options} onZoom={(steps) => void props.load(steps)} />
}

/** Every run's series for one key (reduced to MAX_POINTS for the given steps, or the whole run), into the chart's model. */
async function loadInto(model: ChartModel | undefined, runs: CompareRuns['runs'], key: string, steps: { min: number; max: number } | null): Promise<void> {
  if (!model) return
  const answer = await graphql(DashboardSeriesDocument, { ids: runs.map((run) => run.id), key, maxPoints: MAX_POINTS, minStep: steps?.min ?? null, maxStep: steps?.max ?? null })
  const nodes = answer.data?.nodes ?? []
  runs.forEach((run, index) => {
    const node = nodes[index]
    const history = node && 'metricHistory' in node ? node.metricHistory : null
    if (!history) return
    const points = history.steps.map((step, i) => pointOf({ step, value: history.values[i], timestamp: history.timestamps[i] }))
    const series: RunSeries = {
      runGid: run.id,
      name: run.name,
      color: colorOf(index),
      origin: run.startTime ? Date.parse(run.startTime) : (points[0]?.timestamp ?? 0),
      points,
      sampled: history.sampled,
      totalPoints: history.totalPoints,
    }
    model.setSeries(series)
  })
}

/**
 * New points of the RUNNING runs, as they are logged (metricUpdates over
 * SSE), handed to their chart; a dropped stream is opened again from the
 * last event's cursor, so no point is missed or drawn twice.
 */
function useLivePoints(runs: CompareRuns['runs'], chartOf: (key: string) => ChartModel | null) {
  const running = runs.filter((run) => run.status === 'RUNNING').map((run) => run.id)
  const chart = useRef(chartOf)
  chart.current = chartOf
  const runningKey = running.join('\n')
  useEffect(() => {
    if (running.length === 0) return
    let cursor: string | null = null
    let stop = () => {}
    let timer = 0
    let closed = false
    const open = () => {
      stop = subscribe(
        DashboardMetricUpdatesDocument,
        { runIds: running, since: cursor },
        ({ metricUpdates: update }) => {
          cursor = update.cursor
          if (update.run) chart.current(update.key)?.append(update.run.id, update.points.map(pointOf))
        },
        () => {
          if (!closed) timer = window.setTimeout(open, RESUBSCRIBE_MS)
        },
      )
    }
    open()
    return () => {
      closed = true
      clearTimeout(timer)
      stop()
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runningKey])
}

/** Params of the compared runs, a row per key; rows whose values differ are marked (and can be shown alone). */
function ParamsTable(props: { runs: CompareRuns['runs'] }) {
  const [onlyDiffering, setOnlyDiffering] = useState(false)
  const keys = [...new Set(props.runs.flatMap((run) => run.params.map((param) => param.key)))].sort()
  const valueOf = (run: CompareRun, key: string) => run.params.find((param) => param.key === key)?.value
  const rows = keys.map((key) => ({ key, values: props.runs.map((run) => valueOf(run, key)) })).map((row) => ({ ...row, differs: new Set(row.values).size > 1 }))
  return (
    <aside class="params">
      <h2>Params</h2>
      <label>
        <input type="checkbox" checked={onlyDiffering} onChange={(event) => setOnlyDiffering(event.currentTarget.checked)} /> Only those that differ
      </label>
      <table>
        <thead>
          <tr>
            <th />
            {props.runs.map((run, index) => (
              <th key={run.id} style={{ color: colorOf(index) }}>
                <a href={runLink(run.id)}>{run.name}</a>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows
            .filter((row) => !onlyDiffering || row.differs)
            .map((row) => (
              <tr key={row.key} class={row.differs ? 'differs' : ''} data-param={row.key}>
                <th>{row.key}</th>
                {row.values.map((value, index) => (
                  <td key={props.runs[index].id}>{value ?? '—'}</td>
                ))}
              </tr>
            ))}
        </tbody>
      </table>
    </aside>
  )
}
