import { isExperiment } from '../domain.js'
import { decodeGlobalIdOf } from '../ids.js'
import { FIRST_ARG_DESCRIPTION, builder } from './builder.js'
import { ExperimentFilterInput, LifecycleStageEnum, toExperimentFilter } from './filter-inputs.js'
import { BackendRef, ExperimentConnectionRef, ExperimentRef, KeyValueRef, NodeRef, RunConnectionRef, keyValues } from './refs.js'
import { reportFailures } from './partial-failures.js'
import { runListArgs, runListArgsFrom } from './run-list-args.js'
import { TagInput } from './tags.js'

/** Experiments: the type, its queries and its mutations. */

ExperimentRef.implement({
  description: 'A named group of runs.',
  interfaces: [NodeRef],
  isTypeOf: isExperiment,
  fields: (t) => ({
    backend: t.field({ type: BackendRef, resolve: (experiment, _, { federation }) => federation.backend(experiment.backendId) }),
    nativeId: t.exposeString('nativeId', { description: "The backend's own id." }),
    name: t.exposeString('name'),
    lifecycleStage: t.field({ type: LifecycleStageEnum, resolve: (experiment) => experiment.lifecycleStage }),
    artifactLocation: t.exposeString('artifactLocation', { nullable: true }),
    tags: t.field({ type: [KeyValueRef], resolve: (experiment) => keyValues(experiment.tags) }),
    createdAt: t.field({ type: 'DateTime', resolve: (experiment) => experiment.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (experiment) => experiment.updatedAt }),
    runs: t.field({
      type: RunConnectionRef,
      description: "This experiment's runs; the arguments work as on Query.runs.",
      args: runListArgs(t),
      resolve: async (experiment, args, context, info) =>
        reportFailures(
          await context.federation.listRuns({
            ...runListArgsFrom(args),
            backends: null,
            experiments: [{ backendId: experiment.backendId, nativeId: experiment.nativeId }],
          }),
          context,
          info,
        ),
    }),
  }),
})

builder.queryFields((t) => ({
  experiments: t.field({
    type: ExperimentConnectionRef,
    description: 'Experiments from the named backends (default: all), newest first.',
    args: {
      backends: t.arg.idList(),
      filter: t.arg({ type: ExperimentFilterInput }),
      first: t.arg.int({ description: FIRST_ARG_DESCRIPTION }),
      after: t.arg.string(),
    },
    resolve: async (_, args, context, info) =>
      reportFailures(
        await context.federation.listExperiments({
          backends: args.backends ?? null,
          first: args.first ?? null,
          after: args.after ?? null,
          ...toExperimentFilter(args.filter),
        }),
        context,
        info,
      ),
  }),
  experiment: t.field({
    type: ExperimentRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, { federation }) => federation.experiment(decodeGlobalIdOf('Experiment', id)),
  }),
}))

const CreateExperimentInput = builder.inputType('CreateExperimentInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique among active experiments of the backend.' }),
    backend: t.id({ description: 'The backend id; default: the first native backend.' }),
    tags: t.field({ type: [TagInput] }),
  }),
})

builder.mutationFields((t) => ({
  createExperiment: t.field({
    type: ExperimentRef,
    args: { input: t.arg({ type: CreateExperimentInput, required: true }) },
    resolve: (_, { input }, { federation }) =>
      federation.createExperiment({ backendId: input.backend ?? null, name: input.name, tags: input.tags ?? [] }),
  }),
}))
