import type { mlflowApi } from '../../test/support/mlflow-api.js'

type Rest = ReturnType<typeof mlflowApi>

/** Metrics per run and steps per metric. */
export const KEYS = 10
export const STEPS = 1000

/** Runs `tasks` on `lanes` concurrent workers. */
export async function inLanes(count: number, lanes: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < count) await task(next++)
    }),
  )
}

export async function createRuns(rest: Rest, experimentId: string, count: number, lanes: number): Promise<string[]> {
  const ids: string[] = new Array(count)
  await inLanes(count, lanes, async (index) => {
    ids[index] = await rest.createRun(experimentId, { name: `run-${index}` })
  })
  return ids
}

/**
 * The MLflow logging workload (bench:mlflow-compat, bench:scale): each run's
 * 10 × 1,000 points in `runs/log-batch` calls of 1,000 metrics (100 steps of
 * 10 keys). Each client is a training job logging its own runs, step after
 * step; client i talks to `servers[i % servers.length]` (replicas without a
 * balancer in between). Answers points per second.
 */
export async function loggingRate(servers: readonly Rest[], name: string, shape: { runs: number; clients: number }): Promise<number> {
  const experimentId = await servers[0].createExperiment(`${name}-logging-${Date.now()}`)
  const runIds = await createRuns(servers[0], experimentId, shape.runs, shape.clients)
  const stepsPerCall = 1000 / KEYS
  const started = performance.now()
  await Promise.all(
    Array.from({ length: shape.clients }, async (_, client) => {
      const rest = servers[client % servers.length]
      for (let run = client; run < runIds.length; run += shape.clients) {
        for (let firstStep = 0; firstStep < STEPS; firstStep += stepsPerCall) {
          const timestamp = Date.now()
          const metrics = []
          for (let step = firstStep; step < firstStep + stepsPerCall; step++) {
            for (let key = 0; key < KEYS; key++) metrics.push({ key: `metric_${key}`, value: Math.sin(step / 50 + key), timestamp, step })
          }
          await rest.post('runs/log-batch', { run_id: runIds[run], metrics })
        }
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  return (shape.runs * KEYS * STEPS) / seconds
}
