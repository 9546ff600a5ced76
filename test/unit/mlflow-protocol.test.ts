import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toExperiment, toRun } from '../../src/adapters/mlflow/map.js'
import { DATASET_CONTEXT_TAG, type Experiment, RUN_STATUSES, type Run } from '../../src/domain.js'
import { experimentJson, runJson } from '../../src/mlflow-api/answers.js'
import { experimentSchema, runSchema } from '../../src/mlflow-protocol/records.js'

/**
 * One MLflow protocol for both sides: what the MLflow API writes for a
 * record, the MLflow adapter reads back as the same record (through JSON,
 * as over the wire).
 */

const key = fc.stringMatching(/^[a-z][a-z0-9_.]{0,6}$/)
const text = fc.string({ maxLength: 12 })
const date = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms))
const keyed = <T>(value: fc.Arbitrary<T>) => fc.dictionary(key, value, { maxKeys: 4 })
const present = fc.string({ minLength: 1, maxLength: 12 })

const runArbitrary: fc.Arbitrary<Run> = fc
  .record({
    nativeId: fc.stringMatching(/^[0-9a-f]{32}$/),
    experimentNativeId: fc.stringMatching(/^[0-9]{1,4}$/),
    name: present,
    status: fc.constantFrom(...RUN_STATUSES),
    lifecycleStage: fc.constantFrom('active' as const, 'deleted' as const),
    startTime: fc.option(date, { nil: null }),
    endTime: fc.option(date, { nil: null }),
    artifactUri: fc.option(text, { nil: null }),
    userId: text,
    params: keyed(text),
    tags: keyed(text),
    metrics: keyed(
      fc.record({
        step: fc.integer({ min: -1000, max: 1_000_000 }),
        timestamp: date,
        // ±Number.MAX_VALUE is how MLflow's SQL store spells infinities, so it reads back as one; JSON has no -0.
        value: fc.oneof(fc.double().filter((value) => Math.abs(value) !== Number.MAX_VALUE && !Object.is(value, -0)), fc.constant(Number.NaN)),
      }),
    ),
    datasets: fc.array(
      fc.record({
        dataset: fc.record({
          name: present,
          digest: present,
          sourceType: fc.option(present, { nil: null }),
          source: fc.option(present, { nil: null }),
          schema: fc.option(present, { nil: null }),
          profile: fc.option(present, { nil: null }),
        }),
        tags: keyed(text),
      }),
      { maxLength: 2 },
    ),
    modelInputs: fc.array(fc.record({ modelId: present }), { maxLength: 2 }),
    modelOutputs: fc.array(fc.record({ modelId: present, step: fc.nat() }), { maxLength: 2 }),
  })
  .map(({ metrics, ...run }) => ({
    recordType: 'Run' as const,
    backendId: 'lab',
    ...run,
    metrics: Object.entries(metrics)
      .map(([metricKey, point]) => ({ key: metricKey, ...point }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  }))

const throughTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

describe('the MLflow protocol, both ways', () => {
  it('a run the API writes reads back as the same run', () => {
    fc.assert(
      fc.property(runArbitrary, (run) => {
        expect(toRun('lab', runSchema.parse(throughTheWire(runJson(run))))).toEqual(run)
      }),
      { numRuns: 500 },
    )
  })

  it('an experiment the API writes reads back as the same experiment', () => {
    const experimentArbitrary: fc.Arbitrary<Experiment> = fc.record({
      recordType: fc.constant('Experiment' as const),
      backendId: fc.constant('lab'),
      nativeId: fc.stringMatching(/^[0-9]{1,4}$/),
      name: present,
      lifecycleStage: fc.constantFrom('active' as const, 'deleted' as const),
      artifactLocation: fc.option(text, { nil: null }),
      tags: keyed(text),
      createdAt: date,
      updatedAt: date,
    })
    fc.assert(
      fc.property(experimentArbitrary, (experiment) => {
        expect(toExperiment('lab', experimentSchema.parse(throughTheWire(experimentJson(experiment))))).toEqual(experiment)
      }),
      { numRuns: 300 },
    )
  })

  it('keeps a dataset input’s context as MLflow’s tag', () => {
    const run = fc.sample(runArbitrary, { numRuns: 1, seed: 7 })[0]
    const json = runJson({ ...run, datasets: [{ dataset: { name: 'd', digest: 'x', sourceType: null, source: null, schema: null, profile: null }, tags: { [DATASET_CONTEXT_TAG]: 'training' } }] })
    expect(json.inputs?.dataset_inputs?.[0].tags).toEqual([{ key: DATASET_CONTEXT_TAG, value: 'training' }])
  })
})
