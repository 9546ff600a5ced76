import { PARENT_RUN_TAG, isRun } from '../domain.js'
import { decodeGlobalIdOf } from '../ids.js'
import { builder } from './builder.js'
import { LifecycleStageEnum, RunStatusEnum } from './filter-inputs.js'
import { BackendRef, ExperimentRef, KeyValueRef, NodeRef, RunConnectionRef, RunRef, keyValues } from './refs.js'
import { reportFailures } from './partial-failures.js'
import { runListArgs, runListArgsFrom } from './run-list-args.js'
import { TagInput } from './tags.js'

/** Runs: the type, its queries, and the mutations that create and change runs. */

const selectKeys = <T extends { key: string }>(entries: T[], keys: readonly string[] | null | undefined) =>
  keys ? entries.filter((entry) => keys.includes(entry.key)) : entries

RunRef.implement({
  description: 'One execution of training code: its params, tags and metrics.',
  interfaces: [NodeRef],
  isTypeOf: isRun,
  fields: (t) => ({
    backend: t.field({ type: BackendRef, resolve: (run, _, { federation }) => federation.backend(run.backendId) }),
    nativeId: t.exposeString('nativeId', { description: "The backend's own id." }),
    name: t.exposeString('name'),
    status: t.field({ type: RunStatusEnum, resolve: (run) => run.status }),
    lifecycleStage: t.field({ type: LifecycleStageEnum, resolve: (run) => run.lifecycleStage }),
    startTime: t.field({ type: 'DateTime', nullable: true, resolve: (run) => run.startTime }),
    endTime: t.field({ type: 'DateTime', nullable: true, resolve: (run) => run.endTime }),
    artifactUri: t.exposeString('artifactUri', { nullable: true }),
    experiment: t.field({
      type: ExperimentRef,
      nullable: true,
      resolve: (run, _, { federation }) => federation.experiment({ backendId: run.backendId, nativeId: run.experimentNativeId }),
    }),
    params: t.field({
      type: [KeyValueRef],
      args: { keys: t.arg.stringList({ description: 'Only these keys.' }) },
      resolve: (run, { keys }) => selectKeys(keyValues(run.params), keys),
    }),
    tags: t.field({
      type: [KeyValueRef],
      args: { keys: t.arg.stringList({ description: 'Only these keys.' }) },
      resolve: (run, { keys }) => selectKeys(keyValues(run.tags), keys),
    }),
    parent: t.field({
      type: RunRef,
      nullable: true,
      description: `The run this one is nested under (MLflow's ${PARENT_RUN_TAG} tag).`,
      resolve: (run, _, { federation }) => {
        const parentId = run.tags[PARENT_RUN_TAG]
        return parentId ? federation.run({ backendId: run.backendId, nativeId: parentId }) : null
      },
    }),
  }),
})

builder.queryFields((t) => ({
  runs: t.field({
    type: RunConnectionRef,
    description: 'Runs of the given experiments, or of every experiment of the named backends (default: all).',
    args: {
      experimentIds: t.arg.idList(),
      backends: t.arg.idList(),
      ...runListArgs(t),
    },
    resolve: async (_, args, context, info) =>
      reportFailures(
        await context.federation.listRuns({
          ...runListArgsFrom(args),
          backends: args.backends ?? null,
          experiments: args.experimentIds ? args.experimentIds.map((id) => decodeGlobalIdOf('Experiment', id)) : null,
        }),
        context,
        info,
      ),
  }),
  run: t.field({
    type: RunRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, { federation }) => federation.run(decodeGlobalIdOf('Run', id)),
  }),
}))

export const ParamInput = builder.inputType('ParamInput', {
  description: 'A param: at most 250 characters of key, 6,000 of value. Params are write-once.',
  fields: (t) => ({ key: t.string({ required: true }), value: t.string({ required: true }) }),
})

const CreateRunInput = builder.inputType('CreateRunInput', {
  fields: (t) => ({
    experimentId: t.id({ required: true }),
    name: t.string({ description: 'Default: generated from the run id.' }),
    status: t.field({ type: RunStatusEnum, description: 'Default: RUNNING.' }),
    startTime: t.field({ type: 'DateTime', description: 'Default: now.' }),
    tags: t.field({ type: [TagInput] }),
    params: t.field({ type: [ParamInput] }),
  }),
})

const UpdateRunInput = builder.inputType('UpdateRunInput', {
  description: 'Moving a run to FINISHED, FAILED or KILLED without an endTime stamps it with now.',
  fields: (t) => ({
    id: t.id({ required: true }),
    status: t.field({ type: RunStatusEnum }),
    endTime: t.field({ type: 'DateTime' }),
    name: t.string(),
  }),
})

builder.mutationFields((t) => ({
  createRun: t.field({
    type: RunRef,
    args: { input: t.arg({ type: CreateRunInput, required: true }) },
    resolve: (_, { input }, { federation }) =>
      federation.createRun({
        experiment: decodeGlobalIdOf('Experiment', input.experimentId),
        name: input.name ?? null,
        status: input.status ?? null,
        startTime: input.startTime ?? null,
        tags: input.tags ?? [],
        params: input.params ?? [],
      }),
  }),
  updateRun: t.field({
    type: RunRef,
    args: { input: t.arg({ type: UpdateRunInput, required: true }) },
    resolve: (_, { input }, { federation }) =>
      federation.updateRun(decodeGlobalIdOf('Run', input.id), {
        status: input.status ?? undefined,
        endTime: input.endTime ?? undefined,
        name: input.name ?? undefined,
      }),
  }),
  deleteRun: t.field({
    type: RunRef,
    description: 'Marks a run deleted: hidden from lists, kept, and restorable.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, { federation }) => federation.deleteRun(decodeGlobalIdOf('Run', id)),
  }),
  restoreRun: t.field({
    type: RunRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, { federation }) => federation.restoreRun(decodeGlobalIdOf('Run', id)),
  }),
  logParams: t.field({
    type: RunRef,
    description: 'Logs params (at most 100 per call, all or none). Re-logging a key with a different value is a CONFLICT.',
    args: {
      runId: t.arg.id({ required: true }),
      params: t.arg({ type: [ParamInput], required: true }),
    },
    resolve: (_, { runId, params }, { federation }) => federation.logParams(decodeGlobalIdOf('Run', runId), params),
  }),
}))
