import {
  type DatasetNode,
  type Experiment,
  type ModelVersion,
  type RegisteredModel,
  type Run,
  type UnresolvedRef,
  isDatasetNode,
  isModelVersion,
  isRegisteredModel,
  isRun,
  isUnresolvedRef,
} from './domain.js'
import { GatewayError } from './errors.js'

/**
 * Global IDs read like `Run:local:4f1c...`: the GraphQL type, the backend id
 * from the config, and the backend's own id. Parsing splits at the first two
 * colons only, so native ids that contain colons (SageMaker ARNs) survive.
 */
export const NODE_TYPES = ['Experiment', 'Run', 'RegisteredModel', 'ModelVersion', 'Dataset', 'UnresolvedRef'] as const
export type NodeType = (typeof NODE_TYPES)[number]

export interface NodeKey {
  type: NodeType
  backendId: string
  nativeId: string
}

export function encodeGlobalId(type: NodeType, backendId: string, nativeId: string): string {
  return `${type}:${backendId}:${nativeId}`
}

export function decodeGlobalId(globalId: string): NodeKey {
  const first = globalId.indexOf(':')
  const second = first < 0 ? -1 : globalId.indexOf(':', first + 1)
  if (first <= 0 || second <= first + 1 || second === globalId.length - 1) {
    throw new GatewayError('BAD_USER_INPUT', `"${globalId}" is not a global id (expected <Type>:<backend>:<id>)`)
  }
  const type = globalId.slice(0, first)
  if (!isNodeType(type)) {
    throw new GatewayError('BAD_USER_INPUT', `"${globalId}" names an unknown type "${type}"`)
  }
  return { type, backendId: globalId.slice(first + 1, second), nativeId: globalId.slice(second + 1) }
}

/** Decodes and checks the type in one step, for arguments that take one kind of node. */
export function decodeGlobalIdOf(expected: NodeType, globalId: string): NodeKey {
  const key = decodeGlobalId(globalId)
  if (key.type !== expected) {
    throw new GatewayError('BAD_USER_INPUT', `"${globalId}" is a ${key.type} id; expected a ${expected} id`)
  }
  return key
}

function isNodeType(value: string): value is NodeType {
  return (NODE_TYPES as readonly string[]).includes(value)
}

/** Every record that has a global id. */
export type NodeRecord = Experiment | Run | RegisteredModel | ModelVersion | DatasetNode | UnresolvedRef

export function nodeTypeOf(record: NodeRecord): NodeType {
  if (isRun(record)) return 'Run'
  if (isModelVersion(record)) return 'ModelVersion'
  if (isRegisteredModel(record)) return 'RegisteredModel'
  if (isDatasetNode(record)) return 'Dataset'
  if (isUnresolvedRef(record)) return 'UnresolvedRef'
  return 'Experiment'
}

export function globalIdOf(record: NodeRecord): string {
  return encodeGlobalId(nodeTypeOf(record), record.backendId, record.nativeId)
}
