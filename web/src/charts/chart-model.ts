import type { Point, RunSeries } from './series.js'

/**
 * One chart's series (one metric key, every compared run), outside Preact's
 * state: live points arrive many times a second and only the chart redraws,
 * once per frame. Also published on `window.mlgateCharts` so tests and the
 * benchmark read what the chart holds, not its pixels.
 */
export class ChartModel {
  readonly runs = new Map<string, RunSeries>()
  /** Live points that came before the run's history answer: added once it is here. */
  private readonly early = new Map<string, Point[]>()
  /** Counts every change; `drawnVersion` is the one the chart last drew, so "all drawn" is `drawnVersion === version` (tests and bench:dashboard wait on it). */
  version = 0
  drawnVersion = -1
  drawCount = 0
  private readonly listeners = new Set<() => void>()

  constructor(readonly key: string) {
    const registry = (window.mlgateCharts ??= {})
    registry[key] = this
  }

  /** A run's series as the gateway answered it (whole, or reduced for the visible steps). */
  setSeries(series: RunSeries): void {
    this.runs.set(series.runGid, series)
    const early = this.early.get(series.runGid)
    this.early.delete(series.runGid)
    if (early) this.append(series.runGid, early)
    this.changed()
  }

  /** Live points after what the series holds (an earlier point, already in the history answer, is not added twice). */
  append(runGid: string, points: readonly Point[]): void {
    const series = this.runs.get(runGid)
    if (!series) {
      this.early.set(runGid, [...(this.early.get(runGid) ?? []), ...points])
      return
    }
    const last = series.points[series.points.length - 1]
    const fresh = last ? points.filter((point) => point.step > last.step || (point.step === last.step && point.timestamp > last.timestamp)) : [...points]
    if (fresh.length === 0) return
    series.points.push(...fresh)
    series.totalPoints += fresh.length
    this.changed()
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  drawn(): void {
    this.drawCount++
    this.drawnVersion = this.version
  }

  dispose(): void {
    if (window.mlgateCharts?.[this.key] === this) delete window.mlgateCharts[this.key]
    this.listeners.clear()
  }

  private changed(): void {
    this.version++
    for (const listener of this.listeners) listener()
  }
}

declare global {
  interface Window {
    mlgateCharts?: Record<string, ChartModel>
  }
}
