import type { GatewayContext } from '../context.js'
import { clientKeyOf } from '../http/cost-budget.js'
import { decodeGlobalIdOf } from '../ids.js'
import { MODEL_VERSION_EVENT_KINDS, RUN_EVENT_KINDS } from '../contract/backend.js'
import type { ModelVersionUpdate } from '../federation/live/model-version-updates.js'
import type { MetricUpdate } from '../federation/live/metric-updates.js'
import type { RunUpdate } from '../federation/live/run-updates.js'
import { builder } from './builder.js'
import { MetricPointRef } from './metric.js'
import { ModelVersionRef, RunRef } from './refs.js'

/** Subscriptions: live metric points and run changes. Served over SSE and graphql-ws on /graphql. */

const MetricUpdateRef = builder.objectRef<MetricUpdate>('MetricUpdate').implement({
  description: "New points of one metric of one run: one event per run and key per write.",
  fields: (t) => ({
    run: t.field({
      type: RunRef,
      nullable: true,
      // Fresh loaders per event: a run read at subscription start would go stale.
      resolve: (update, _, { live }) => live.currentRun(update.run),
    }),
    key: t.exposeString('key'),
    points: t.field({ type: [MetricPointRef], resolve: (update) => update.points }),
    droppedPoints: t.exposeInt('droppedPoints', {
      description: 'Points this subscriber fell too far behind to receive: refetch the range with metricHistory.',
    }),
    cursor: t.string({ description: 'Pass as `since` to resume after this event.', resolve: (update) => update.cursor() }),
  }),
})

const RunEventKindEnum = builder.enumType('RunEventKind', { values: RUN_EVENT_KINDS })

const RunEventRef = builder.objectRef<RunUpdate>('RunEvent').implement({
  description: 'A run of the watched experiment was created, changed, finished or deleted.',
  fields: (t) => ({
    kind: t.field({ type: RunEventKindEnum, resolve: (event) => event.kind }),
    run: t.field({
      type: RunRef,
      nullable: true,
      resolve: (event, _, { live }) => live.currentRun(event.run),
    }),
  }),
})

const ModelVersionEventKindEnum = builder.enumType('ModelVersionEventKind', { values: MODEL_VERSION_EVENT_KINDS })

const ModelVersionEventRef = builder.objectRef<ModelVersionUpdate>('ModelVersionEvent').implement({
  description: 'A version was registered, or its stage, approval, status or aliases changed.',
  fields: (t) => ({
    kind: t.field({ type: ModelVersionEventKindEnum, resolve: (event) => event.kind }),
    version: t.field({
      type: ModelVersionRef,
      nullable: true,
      resolve: (event, _, { live }) => live.currentModelVersion(event.version),
    }),
  }),
})

builder.subscriptionType({})

builder.subscriptionFields((t) => ({
  metricUpdates: t.field({
    type: MetricUpdateRef,
    description:
      'New metric points of the given runs as they are logged. With `since` (a cursor from an earlier event), ' +
      'first every point after it, then live ones: nothing missed, nothing twice.',
    args: {
      runIds: t.arg.idList({ required: true }),
      keys: t.arg.stringList({ description: 'Only these metric keys (default: all).' }),
      since: t.arg.string(),
    },
    subscribe: (_, args, context) =>
      liveStream(context, (stop) =>
        context.live.metricUpdates({
          runs: args.runIds.map((id) => decodeGlobalIdOf('Run', id)),
          keys: args.keys ?? null,
          since: args.since ?? null,
          signal: stop,
        }),
      ),
    resolve: (update) => update,
  }),
  runUpdates: t.field({
    type: RunEventRef,
    description: "Changes to an experiment's runs as they happen (native: pushed; MLflow: polled).",
    args: { experimentId: t.arg.id({ required: true }) },
    subscribe: (_, args, context) =>
      liveStream(context, (stop) =>
        context.live.runUpdates({ experiment: decodeGlobalIdOf('Experiment', args.experimentId), signal: stop }),
      ),
    resolve: (event) => event,
  }),
  modelVersionEvents: t.field({
    type: ModelVersionEventRef,
    description:
      'Changes to the versions of one registered model, or of every model when modelId is omitted. Registries are polled by one ' +
      'shared poller per watched model (native every registryPollMs, MLflow every poll.intervalMs, SageMaker every poll.intervalMs, default 30 s).',
    args: { modelId: t.arg.id() },
    subscribe: (_, args, context) =>
      liveStream(context, (stop) =>
        context.live.modelVersionUpdates({ model: args.modelId ? decodeGlobalIdOf('RegisteredModel', args.modelId) : null, signal: stop }),
      ),
    resolve: (event) => event,
  }),
}))

/**
 * A subscription's stream, holding one of its client's subscription slots
 * (limits.subscriptionsPerClient) until it ends. Its `return()` (the client
 * unsubscribed) ends the stream at once: an async generator waiting for its
 * next event would otherwise hold `return()` until that event came.
 */
async function liveStream<T>(context: GatewayContext, start: (signal: AbortSignal) => AsyncGenerator<T>): Promise<AsyncIterableIterator<T>> {
  const release = context.subscriptionQuota.acquire(clientKeyOf(context.identity, context.clientAddress), (await context.allowance()).subscriptions)
  const outer = context.signal
  const controller = new AbortController()
  const stop = () => controller.abort()
  outer.addEventListener('abort', stop, { once: true })
  const generator = start(controller.signal)
  const finish = () => {
    release()
    outer.removeEventListener('abort', stop)
  }
  const stream: AsyncIterableIterator<T> = {
    next: async () => {
      try {
        const result = await generator.next()
        if (result.done) finish()
        return result
      } catch (error) {
        finish()
        throw error
      }
    },
    return: async (value?: unknown) => {
      stop()
      finish()
      return generator.return(value as T)
    },
    throw: (error?: unknown) => {
      finish()
      return generator.throw(error)
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
  return stream
}
