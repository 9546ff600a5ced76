import type { GuardedBackend } from '../federation/backends.js'
import type { NodeRecord } from '../ids.js'
import type { Experiment, KeyValue, ModelVersion, RegisteredModel, Run } from '../domain.js'
import { builder, connectionOf } from './builder.js'

/**
 * References to the object types, declared once so the domain files can
 * point at each other (a Run has an Experiment, an Experiment lists Runs)
 * without importing each other. Each type is implemented in its own file.
 */
export const NodeRef = builder.interfaceRef<NodeRecord>('Node')
export const BackendRef = builder.objectRef<GuardedBackend>('Backend')
export const ExperimentRef = builder.objectRef<Experiment>('Experiment')
export const RunRef = builder.objectRef<Run>('Run')
export const RegisteredModelRef = builder.objectRef<RegisteredModel>('RegisteredModel')
export const ModelVersionRef = builder.objectRef<ModelVersion>('ModelVersion')

export const ExperimentConnectionRef = connectionOf('Experiment', ExperimentRef)
export const RunConnectionRef = connectionOf('Run', RunRef)
export const RegisteredModelConnectionRef = connectionOf('RegisteredModel', RegisteredModelRef)
export const ModelVersionConnectionRef = connectionOf('ModelVersion', ModelVersionRef)

export const KeyValueRef = builder.objectRef<KeyValue>('KeyValue')

/** Params and tags as a list sorted by key, so answers are stable. */
export const keyValues = (record: Record<string, string>): KeyValue[] =>
  Object.entries(record)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value }))
