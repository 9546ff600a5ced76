import type { MetricPoint } from '../domain.js'

/**
 * The gateway's downsampling rule, in memory, for backends that return a
 * whole series: the first and last points, and each step bucket's minimum
 * and maximum (NaN only when a bucket has nothing else), so spikes survive.
 * The native store applies the same rule in SQL over its rollups.
 */
export function downsample(points: readonly MetricPoint[], maxPoints: number): MetricPoint[] {
  if (points.length <= maxPoints) return [...points]
  const sorted = [...points].sort((a, b) => a.step - b.step || a.timestamp.getTime() - b.timestamp.getTime())
  const first = sorted[0]
  const last = sorted[sorted.length - 1]
  // Two slots for the ends, two per bucket, one spare bucket for alignment.
  const buckets = Math.max(1, Math.floor((maxPoints - 4) / 2))
  const width = Math.max(1, Math.ceil((last.step - first.step + 1) / buckets))
  const extremes = new Map<number, { min: MetricPoint; max: MetricPoint }>()
  for (const point of sorted) {
    const bucket = Math.floor(point.step / width)
    const current = extremes.get(bucket)
    if (!current) {
      extremes.set(bucket, { min: point, max: point })
      continue
    }
    if (!Number.isNaN(point.value) && (Number.isNaN(current.min.value) || point.value < current.min.value)) current.min = point
    if (!Number.isNaN(point.value) && (Number.isNaN(current.max.value) || point.value > current.max.value)) current.max = point
  }
  const kept = new Set<MetricPoint>([first, last])
  for (const { min, max } of extremes.values()) kept.add(min).add(max)
  return sorted.filter((point) => kept.has(point))
}
