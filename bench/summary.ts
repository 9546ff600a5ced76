/**
 * `bench/results/summary.md` from the benchmarks' own result files: one
 * table with each figure, what it is compared with (its peer or physical
 * limit, measured in the same run), the target, and met / not met; and the
 * machine. `npm run bench` writes it after running every benchmark;
 * `npm run bench:summary` writes it from the results already there.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { findPostgresBinDir } from '../test/peers/postgres.js'

const RESULTS = 'bench/results'

export interface SummaryRow {
  benchmark: string
  figure: string
  value: string
  comparedWith: string
  /** NO_TARGET for a figure shown beside another's target. */
  target: string
  /** Null: the result file lacks the figure (the benchmark was not run), or the figure has no target. */
  met: boolean | null
}

const NO_TARGET = '—'

/** A figure from a parsed result file by its dotted path; null when absent or not a number. */
function num(json: unknown, path: string): number | null {
  let at: unknown = json
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object') return null
    at = (at as Record<string, unknown>)[part]
  }
  return typeof at === 'number' ? at : null
}

const fmt = (value: number | null, unit = '') => (value === null ? '—' : `${value.toLocaleString('en-US', { maximumFractionDigits: 3 })}${unit}`)
const atMost = (value: number | null, bound: number) => (value === null ? null : value <= bound)
const atLeast = (value: number | null, bound: number) => (value === null ? null : value >= bound)

/** Each benchmark's rows, read from its result file. */
const ROWS: Record<string, (json: unknown) => SummaryRow[]> = {
  native: (json) =>
    (['sequential', 'concurrent'] as const).flatMap((mode) =>
      // The ingest target is met by the mutation made for it (logMetricSeries); logMetrics is shown beside it.
      (['logMetricSeries', 'logMetrics'] as const).map((mutation) => ({
        benchmark: 'native',
        figure: `GraphQL ${mutation}, ${mode} (points/s)`,
        value: fmt(num(json, `write.${mode}.${mutation}.pointsPerSecond`)),
        comparedWith: `raw INSERT … unnest: ${fmt(num(json, `write.${mode}.rawInsertRowsPerSecond`))} rows/s (share ${fmt(num(json, `write.${mode}.${mutation}.shareOfRaw`))})`,
        target: mutation === 'logMetricSeries' ? 'share ≥ 0.5' : NO_TARGET,
        met: mutation === 'logMetricSeries' ? atLeast(num(json, `write.${mode}.${mutation}.shareOfRaw`), 0.5) : null,
      })),
    ).concat({
      benchmark: 'native',
      figure: 'metricHistory(maxPoints: 1000) of 1M points, p50',
      value: fmt(num(json, 'history.p50Ms'), ' ms'),
      comparedWith: '—',
      target: '≤ 50 ms',
      met: atMost(num(json, 'history.p50Ms'), 50),
    }),
  history: (json) => [
    {
      benchmark: 'history',
      figure: 'metricHistory(maxPoints: 1000) of 20 runs × 1M points in one request, p50',
      value: fmt(num(json, 'request.p50Ms'), ' ms'),
      comparedWith: `p99 ${fmt(num(json, 'request.p99Ms'), ' ms')}`,
      target: '≤ 100 ms',
      met: atMost(num(json, 'request.p50Ms'), 100),
    },
    {
      benchmark: 'history',
      figure: 'PostgreSQL statements for that request',
      value: fmt(num(json, 'request.statementsPerRequest')),
      comparedWith: 'before batching: 81 (4 a series, and the runs)',
      target: 'one batch, not 20: ≤ 3 (the runs; the series\' sizes; their points)',
      met: atMost(num(json, 'request.statementsPerRequest'), 3),
    },
  ],
  mlflow: (json) => [
    {
      benchmark: 'mlflow',
      figure: 'run(id) through mlgate, p50',
      value: fmt(num(json, 'runById.gateway.p50Ms'), ' ms'),
      comparedWith: `runs/get direct: ${fmt(num(json, 'runById.direct.p50Ms'), ' ms')} (ratio ${fmt(num(json, 'runById.p50Ratio'))}); the floor, runs/get plus a bare graphql-yoga hop (${fmt(num(json, 'runById.floor.bareYogaP50Ms'), ' ms')}): ratio ${fmt(num(json, 'runById.floor.p50Ratio'))}`,
      target: 'ratio ≤ 1.15',
      met: atMost(num(json, 'runById.p50Ratio'), 1.15),
    },
    {
      benchmark: 'mlflow',
      figure: 'dashboard query of 50 runs: MLflow calls',
      value: fmt(num(json, 'dashboardQuery.gatewayCalls')),
      comparedWith: `one call per field: ${fmt(num(json, 'dashboardQuery.naiveCalls'))}`,
      target: '≤ 3',
      met: atMost(num(json, 'dashboardQuery.gatewayCalls'), 3),
    },
  ],
  federation: (json) => [
    ...([
      ['merged', 'runs merged from native + MLflow, p50'],
      ['table', "the dashboard's table, 50 runs × 20 params × 20 metrics from native + MLflow, p50"],
    ] as const).map(([part, figure]) => {
      const alone = [num(json, `${part}.nativeAloneP50Ms`), num(json, `${part}.mlflowAloneP50Ms`)]
      const slower = alone.some((ms) => ms === null) ? null : Math.max(...(alone as number[]))
      return {
        benchmark: 'federation',
        figure,
        value: fmt(num(json, `${part}.mergedP50Ms`), ' ms'),
        comparedWith: `slower backend alone: ${fmt(slower, ' ms')} (ratio ${fmt(num(json, `${part}.ratioToSlower`))})`,
        target: 'ratio ≤ 1.2',
        met: atMost(num(json, `${part}.ratioToSlower`), 1.2),
      }
    }),
    {
      benchmark: 'federation',
      figure: 'a black-holed backend: worst answer',
      value: `${fmt(num(json, 'blackholed.worstRatioToTimeout'))} × timeout`,
      comparedWith: `its timeoutMs: ${fmt(num(json, 'blackholed.timeoutMs'), ' ms')}`,
      target: '≤ 1.1 × timeout',
      met: atMost(num(json, 'blackholed.worstRatioToTimeout'), 1.1),
    },
  ],
  lineage: (json) => [
    {
      benchmark: 'lineage',
      figure: `lineage of depth 5 over ${fmt(num(json, 'graphNodes'))} nodes (native + MLflow + SageMaker), p50`,
      value: fmt(num(json, 'walk.p50Ms'), ' ms'),
      comparedWith: `${fmt(num(json, 'nodesReached'))} nodes reached (the 5,000-node limit)`,
      target: NO_TARGET,
      met: null,
    },
    {
      benchmark: 'lineage',
      figure: 'calls per backend per level, worst of 5 levels × 3 backends',
      value: fmt(num(json, 'worstCallsPerBackendPerLevel')),
      comparedWith: `kinds of call (a question answered in pages or parts counts once): worst ${fmt(num(json, 'worstCallKindsPerBackendPerLevel'))}; the pages are the peers' caps (SageMaker: 100 packages a call; MLflow's model-versions/search, a GET: about 100 run ids a URL)`,
      target: '≤ 4',
      met: atMost(num(json, 'worstCallsPerBackendPerLevel'), 4),
    },
  ],
  live: (json) => [
    {
      benchmark: 'live',
      figure: `log → delivered to ${fmt(num(json, 'delivery.subscribers'))} subscribers, p99`,
      value: fmt(num(json, 'delivery.p99Ms'), ' ms'),
      comparedWith: `p50 ${fmt(num(json, 'delivery.p50Ms'), ' ms')}`,
      target: '≤ 100 ms',
      met: atMost(num(json, 'delivery.p99Ms'), 100),
    },
    {
      benchmark: 'live',
      figure: 'memory per idle subscription',
      value: fmt(num(json, 'idle.kbPerSubscription'), ' KB'),
      comparedWith: `${fmt(num(json, 'idle.subscriptions'))} subscriptions`,
      target: '≤ 50 KB',
      met: atMost(num(json, 'idle.kbPerSubscription'), 50),
    },
  ],
  'mlflow-compat': (json) => [
    {
      benchmark: 'mlflow-compat',
      figure: 'stock MLflow client logging through mlgate (points/s)',
      value: fmt(num(json, 'logging.pointsPerSecond.mlgate')),
      comparedWith: `mlflow server: ${fmt(num(json, 'logging.pointsPerSecond.mlflow'))} (ratio ${fmt(num(json, 'logging.ratio'))})`,
      target: 'ratio ≥ 10',
      met: atLeast(num(json, 'logging.ratio'), 10),
    },
    {
      benchmark: 'mlflow-compat',
      figure: 'runs/search through mlgate, p50',
      value: fmt(num(json, 'search.mlgate.p50Ms'), ' ms'),
      comparedWith: `mlflow server: ${fmt(num(json, 'search.mlflow.p50Ms'), ' ms')} (ratio ${fmt(num(json, 'search.p50Ratio'))})`,
      target: 'ratio ≤ 0.2',
      met: atMost(num(json, 'search.p50Ratio'), 0.2),
    },
  ],
  auth: (json) => [
    {
      benchmark: 'auth',
      figure: 'log-batch with auth on (points/s)',
      value: fmt(num(json, 'logBatch.pointsPerSecond.on')),
      comparedWith: `auth off: ${fmt(num(json, 'logBatch.pointsPerSecond.off'))} (ratio ${fmt(num(json, 'logBatch.ratio'))})`,
      target: 'ratio ≥ 0.95',
      met: atLeast(num(json, 'logBatch.ratio'), 0.95),
    },
    {
      benchmark: 'auth',
      figure: 'dashboard query with auth on, p50',
      value: fmt(num(json, 'dashboard.on.p50Ms'), ' ms'),
      comparedWith: `auth off: ${fmt(num(json, 'dashboard.off.p50Ms'), ' ms')} (ratio ${fmt(num(json, 'dashboard.ratio'))})`,
      target: 'ratio ≤ 1.05',
      met: atMost(num(json, 'dashboard.ratio'), 1.05),
    },
  ],
  hostile: (json) =>
    (['pglite', 'postgres'] as const).map((engine) => ({
      benchmark: 'hostile',
      figure: `normal clients' p99 under attack (${engine})`,
      value: fmt(num(json, `${engine}.underAttack.p99Ms`), ' ms'),
      comparedWith: `alone: ${fmt(num(json, `${engine}.alone.p99Ms`), ' ms')} (ratio ${fmt(num(json, `${engine}.p99Ratio`))})`,
      target: 'ratio ≤ 3',
      met: atMost(num(json, `${engine}.p99Ratio`), 3),
    })),
  dashboard: (json) => [
    {
      benchmark: 'dashboard',
      figure: 'first complete Compare view, 10 runs × 1M points, p50',
      value: fmt(num(json, 'firstCompleteCompare.p50Ms'), ' ms'),
      comparedWith: "MLflow's UI: not measured (see bench/dashboard.ts)",
      target: '≤ 1,500 ms',
      met: atMost(num(json, 'firstCompleteCompare.p50Ms'), 1500),
    },
    {
      benchmark: 'dashboard',
      figure: 'log → drawn, p99',
      value: fmt(num(json, 'logToDrawn.p99Ms'), ' ms'),
      comparedWith: `p50 ${fmt(num(json, 'logToDrawn.p50Ms'), ' ms')}`,
      target: '≤ 250 ms',
      met: atMost(num(json, 'logToDrawn.p99Ms'), 250),
    },
  ],
  scale: (json) => {
    const summary = (json as { summary?: { replicas: number; telemetryCost: number; pointsPerSecond: { off: number; on: number } }[] }).summary ?? []
    return summary.map((row) => ({
      benchmark: 'scale',
      figure: `log-batch through ${row.replicas} replica(s), telemetry on (points/s)`,
      value: fmt(row.pointsPerSecond.on),
      comparedWith: `telemetry off: ${fmt(row.pointsPerSecond.off)} (cost ${fmt(row.telemetryCost)})`,
      target: 'cost ≤ 0.03',
      met: row.telemetryCost <= 0.03,
    }))
  },
}

/** The benchmarks in the order `npm run bench` runs them (each is also `npm run bench:<name>`). */
export const BENCHMARKS = Object.keys(ROWS)

export function summaryRows(): SummaryRow[] {
  return BENCHMARKS.flatMap((name) => {
    const file = join(RESULTS, `${name}.json`)
    return existsSync(file) ? ROWS[name](JSON.parse(readFileSync(file, 'utf8')) as unknown) : []
  })
}

/** The date a result file records, or its file's time when it records none. */
function runDateOf(name: string): string | null {
  const file = join(RESULTS, `${name}.json`)
  if (!existsSync(file)) return null
  const recorded = (JSON.parse(readFileSync(file, 'utf8')) as { date?: unknown }).date
  return typeof recorded === 'string' ? recorded.slice(0, 10) : statSync(file).mtime.toISOString().slice(0, 10)
}

function postgresVersion(): string {
  const bin = findPostgresBinDir()
  if (!bin) return 'not installed'
  try {
    return execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}

export function writeSummary(): string {
  const rows = summaryRows()
  const targets = rows.filter((row) => row.target !== NO_TARGET)
  const cell = (text: string) => text.replace(/\|/g, '\\|')
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (or \`npm run bench:summary\` from the result files in this folder). ${targets.filter((row) => row.met === true).length} of ${targets.length} targets met.`,
    '',
    `Machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${postgresVersion()}. Each figure and what it is compared with come from one run of its benchmark.`,
    '',
    '| Benchmark | Figure | Value | Compared with (same run) | Target | Met |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.benchmark} | ${cell(row.figure)} | ${cell(row.value)} | ${cell(row.comparedWith)} | ${cell(row.target)} | ${row.met === null ? '—' : row.met ? 'met' : '**not met**'} |`),
    '',
    'When each benchmark last ran (its result file):',
    '',
    ...BENCHMARKS.map((name) => `- \`${name}\`: ${runDateOf(name) ?? 'not run'}`),
    '',
  ]
  const file = join(RESULTS, 'summary.md')
  writeFileSync(file, lines.join('\n'))
  return file
}

if (process.argv[1]?.endsWith('summary.ts')) console.log(`wrote ${writeSummary()}`)
