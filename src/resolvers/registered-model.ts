import { type ModelAlias, isRegisteredModel } from '../domain.js'
import { decodeGlobalIdOf } from '../ids.js'
import { FIRST_ARG_DESCRIPTION, builder } from './builder.js'
import { ModelVersionFilterInput, RegisteredModelFilterInput, toModelVersionFilter, toRegisteredModelFilter } from './model-inputs.js'
import { reportFailures } from './partial-failures.js'
import { BackendRef, KeyValueRef, ModelVersionConnectionRef, ModelVersionRef, NodeRef, RegisteredModelConnectionRef, RegisteredModelRef, keyValues } from './refs.js'
import { TagInput } from './tags.js'

/** Registered models: the type, its queries, and the mutations on the model and its aliases. */

const ModelAliasRef = builder.objectRef<ModelAlias & { backendId: string }>('ModelAlias').implement({
  description: 'A named pointer to one version of a model (MLflow aliases; SageMaker has none).',
  fields: (t) => ({
    alias: t.exposeString('alias'),
    versionNumber: t.string({ resolve: (alias) => String(alias.version) }),
    version: t.field({
      type: ModelVersionRef,
      nullable: true,
      resolve: (alias, _, { models }) => models.modelVersion({ backendId: alias.backendId, nativeId: alias.versionNativeId }),
    }),
  }),
})

RegisteredModelRef.implement({
  description: 'A named model with numbered versions: an MLflow or native registered model, or a SageMaker model package group.',
  interfaces: [NodeRef],
  isTypeOf: isRegisteredModel,
  fields: (t) => ({
    backend: t.field({ type: BackendRef, resolve: (model, _, { federation }) => federation.backend(model.backendId) }),
    nativeId: t.exposeString('nativeId', { description: "The backend's own id: the model's name (the group's name on SageMaker)." }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    tags: t.field({ type: [KeyValueRef], resolve: (model) => keyValues(model.tags) }),
    aliases: t.field({
      type: [ModelAliasRef],
      resolve: (model) => model.aliases.map((alias) => ({ ...alias, backendId: model.backendId })),
    }),
    latestVersions: t.field({
      type: [ModelVersionRef],
      description: 'The newest version in each stage (in each approval status on SageMaker).',
      resolve: (model, _, { models }) => models.latestVersions({ backendId: model.backendId, nativeId: model.nativeId }),
    }),
    versions: t.field({
      type: ModelVersionConnectionRef,
      description: 'Newest first.',
      args: { filter: t.arg({ type: ModelVersionFilterInput }), first: t.arg.int(), after: t.arg.string() },
      resolve: async (model, args, context, info) =>
        reportFailures(
          await context.models.listModelVersions({
            backends: null,
            models: [{ backendId: model.backendId, nativeId: model.nativeId }],
            filter: toModelVersionFilter(args.filter),
            first: args.first ?? null,
            after: args.after ?? null,
          }),
          context,
          info,
        ),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (model) => model.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (model) => model.updatedAt }),
  }),
})

builder.queryFields((t) => ({
  registeredModels: t.field({
    type: RegisteredModelConnectionRef,
    description: 'Registered models of the named backends (default: every backend with a registry), by name.',
    args: {
      backends: t.arg.idList(),
      filter: t.arg({ type: RegisteredModelFilterInput }),
      first: t.arg.int({ description: FIRST_ARG_DESCRIPTION }),
      after: t.arg.string(),
    },
    resolve: async (_, args, context, info) =>
      reportFailures(
        await context.models.listRegisteredModels({
          backends: args.backends ?? null,
          filter: toRegisteredModelFilter(args.filter),
          first: args.first ?? null,
          after: args.after ?? null,
        }),
        context,
        info,
      ),
  }),
  registeredModel: t.field({
    type: RegisteredModelRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, { models }) => models.registeredModel(decodeGlobalIdOf('RegisteredModel', id)),
  }),
}))

const CreateRegisteredModelInput = builder.inputType('CreateRegisteredModelInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique within the backend; no "/" or ":".' }),
    backend: t.id({ description: 'The backend id; default: the first native backend.' }),
    description: t.string(),
    tags: t.field({ type: [TagInput] }),
  }),
})

builder.mutationFields((t) => ({
  createRegisteredModel: t.field({
    type: RegisteredModelRef,
    args: { input: t.arg({ type: CreateRegisteredModelInput, required: true }) },
    resolve: (_, { input }, { models }) =>
      models.createRegisteredModel({ backendId: input.backend ?? null, name: input.name, description: input.description ?? null, tags: input.tags ?? [] }),
  }),
  setModelAlias: t.field({
    type: RegisteredModelRef,
    description: 'Points an alias at a version of the model, moving it if it pointed elsewhere. MLflow\'s rules: letters, digits, "_" and "-", at most 255, not "latest", not v<number>.',
    args: { modelId: t.arg.id({ required: true }), alias: t.arg.string({ required: true }), versionId: t.arg.id({ required: true }) },
    resolve: (_, args, { models }) =>
      models.setModelAlias(decodeGlobalIdOf('RegisteredModel', args.modelId), args.alias, decodeGlobalIdOf('ModelVersion', args.versionId)),
  }),
  deleteModelAlias: t.field({
    type: RegisteredModelRef,
    args: { modelId: t.arg.id({ required: true }), alias: t.arg.string({ required: true }) },
    resolve: (_, args, { models }) => models.deleteModelAlias(decodeGlobalIdOf('RegisteredModel', args.modelId), args.alias),
  }),
}))
