import { useEffect, useRef, useState } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { ChartModel } from '../charts/chart-model'
import { type ChartOptions, type DrawnRun, drawnRunOf, xOf } from '../charts/series'
import type { XAxis } from '../route'

const HEIGHT = 260

/** What a uPlot series index stands for, for the hover readout. */
interface SeriesMeta {
  run: DrawnRun
  role: 'line' | 'upper' | 'lower' | 'smoothed'
}

/**
 * One metric's chart (uPlot): every run's envelope (a band where the series
 * is reduced), the smoothed curve over the faint raw one when smoothing is
 * on, a hover readout with each run's exact values, and drag-to-zoom that
 * asks `onZoom` for the visible steps' finer series (double-click: back out).
 */
export function MetricChart(props: { model: ChartModel; options: ChartOptions; onZoom: (steps: { min: number; max: number } | null) => void }) {
  const { model, options } = props
  const holder = useRef<HTMLDivElement>(null)
  const [readout, setReadout] = useState<{ x: string; rows: { name: string; color: string; value: string }[] } | null>(null)
  const onZoom = useRef(props.onZoom)
  onZoom.current = props.onZoom

  useEffect(() => {
    const element = holder.current
    if (!element) return
    let meta: SeriesMeta[] = []
    let drawn: DrawnRun[] = []
    let plot: uPlot | null = null
    let frame = 0
    const build = () => {
      drawn = [...model.runs.values()].map((series) => drawnRunOf(series, options))
      meta = []
      const tables: uPlot.AlignedData[] = []
      const series: uPlot.Series[] = [{ label: options.x }]
      const bands: uPlot.Band[] = []
      for (const run of drawn) {
        const raw = run.smoothed !== null
        const faint = (color: string) => (raw ? color.replace(')', ' / 0.25)') : color)
        const sampled = run.series.sampled
        const columns: (number | null)[][] = []
        if (sampled) {
          const upperIndex = series.length
          series.push({ label: `${run.series.name} max`, stroke: faint(run.series.color), width: 1 })
          series.push({ label: `${run.series.name} min`, stroke: faint(run.series.color), width: 1 })
          bands.push({ series: [upperIndex, upperIndex + 1], fill: run.series.color.replace(')', ' / 0.15)') })
          meta.push({ run, role: 'upper' }, { run, role: 'lower' })
          columns.push(run.upper, run.lower)
        } else {
          series.push({ label: run.series.name, stroke: faint(run.series.color), width: raw ? 1 : 1.5 })
          meta.push({ run, role: 'line' })
          columns.push(run.upper)
        }
        if (run.smoothed) {
          series.push({ label: `${run.series.name} (smoothed)`, stroke: run.series.color, width: 2 })
          meta.push({ run, role: 'smoothed' })
          columns.push(run.smoothed)
        }
        tables.push([run.x, ...columns] as uPlot.AlignedData)
      }
      const data: uPlot.AlignedData = tables.length > 0 ? uPlot.join(tables) : [[]]
      return { series, bands, data }
    }
    const create = () => {
      const { series, bands, data } = build()
      plot?.destroy()
      plot = new uPlot(
        {
          width: Math.max(320, element.clientWidth),
          height: HEIGHT,
          series,
          bands,
          legend: { show: false },
          scales: { x: { time: options.x === 'wall' }, y: { distr: options.logScale ? 3 : 1 } },
          axes: [{ label: options.x === 'step' ? 'step' : options.x === 'wall' ? 'time' : 'seconds since start' }, {}],
          cursor: { drag: { x: true, y: false, setScale: true } },
          hooks: {
            setSelect: [
              (chart) => {
                if (chart.select.width < 2) return
                const from = chart.posToVal(chart.select.left, 'x')
                const to = chart.posToVal(chart.select.left + chart.select.width, 'x')
                onZoom.current(stepRangeOf(drawn, options.x, from, to))
              },
            ],
            setCursor: [(chart) => setReadout(readoutAt(chart, meta, options))],
            draw: [() => model.drawn()],
          },
        },
        data,
        element,
      )
      plot.over.addEventListener('dblclick', () => onZoom.current(null))
    }
    create()
    // Live points and refined series: redraw once per frame, keeping the zoom.
    const stop = model.onChange(() => {
      if (frame) return
      frame = requestAnimationFrame(() => {
        frame = 0
        if (!plot) return
        const { series, data } = build()
        if (series.length !== plot.series.length) return create()
        // A zoomed-in chart keeps its view; otherwise the new data sets the scales.
        plot.setData(data, !isZoomed(plot))
      })
    })
    const resize = new ResizeObserver(() => plot?.setSize({ width: Math.max(320, element.clientWidth), height: HEIGHT }))
    resize.observe(element)
    return () => {
      stop()
      resize.disconnect()
      cancelAnimationFrame(frame)
      plot?.destroy()
    }
  }, [model, options.x, options.logScale, options.smoothing])

  return (
    <figure class="chart" data-metric={model.key}>
      <figcaption>{model.key}</figcaption>
      <div ref={holder} />
      <div class="readout" aria-live="off">
        {readout && (
          <>
            <span>
              {options.x} {readout.x}
            </span>
            {readout.rows.map((row) => (
              <span key={row.name} style={{ color: row.color }}>
                {row.name}: {row.value}
              </span>
            ))}
          </>
        )}
      </div>
    </figure>
  )
}

/** Whether the user zoomed in: the x scale shows less than the data spans. */
function isZoomed(plot: uPlot): boolean {
  const xs = plot.data[0]
  if (xs.length === 0) return false
  return (plot.scales.x.min ?? xs[0]) > xs[0] || (plot.scales.x.max ?? xs[xs.length - 1]) < xs[xs.length - 1]
}

/** The steps whose points lie in the visible x range (whatever the x axis shows), to ask the gateway for them in finer detail. */
function stepRangeOf(drawn: readonly DrawnRun[], axis: XAxis, from: number, to: number): { min: number; max: number } | null {
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const run of drawn) {
    for (const point of run.series.points) {
      const x = xOf(point, run.series, axis)
      if (x < from || x > to) continue
      min = Math.min(min, point.step)
      max = Math.max(max, point.step)
    }
  }
  return Number.isFinite(min) ? { min, max } : null
}

function readoutAt(chart: uPlot, meta: readonly SeriesMeta[], options: ChartOptions) {
  const index = chart.cursor.idx
  if (index === null || index === undefined) return null
  const x = chart.data[0][index]
  const rows: { name: string; color: string; value: string }[] = []
  meta.forEach((entry, i) => {
    const value = nearestValue(chart.data[i + 1] ?? [], index)
    if (value === null) return
    const suffix = entry.role === 'upper' ? ' max' : entry.role === 'lower' ? ' min' : entry.role === 'smoothed' ? ' smoothed' : ''
    rows.push({ name: `${entry.run.series.name}${suffix}`, color: entry.run.series.color, value: String(value) })
  })
  const shownX = options.x === 'wall' ? new Date(x * 1000).toISOString() : String(x)
  return { x: shownX, rows }
}

/** A series' value at the index, or at the nearest index where it has one: runs log at different x, so the joined data has gaps. */
function nearestValue(values: ArrayLike<number | null | undefined>, index: number): number | null {
  for (let distance = 0; distance < values.length; distance++) {
    for (const at of [index - distance, index + distance]) {
      const value = values[at]
      if (value !== null && value !== undefined) return value
    }
  }
  return null
}
