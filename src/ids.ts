import { type DatasetNode, type Experiment, type ModelVersion, RECORD_TYPES, type RecordType, type RegisteredModel, type Run, type UnresolvedRef } from './domain.js'
import { GatewayError } from './errors.js'

/**
 * Global IDs read like `Run:local:4f1c...`: the GraphQL type, the backend id
 * from the config, and the backend's own id. Parsing splits at the first two
 * colons only, so native ids that contain colons (SageMaker ARNs) survive.
 */
/** The record types with a global id: every one but logged models, which only the MLflow API serves. */
export type NodeType = Exclude<RecordType, 'LoggedModel'>
export const NODE_TYPES = RECORD_TYPES.filter((type): type is NodeType => type !== 'LoggedModel')

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

/** The record's GraphQL type: records carry it (`recordType`), so nothing is guessed from their fields. */
export function nodeTypeOf(record: NodeRecord): NodeType {
  return record.recordType
}

export function globalIdOf(record: NodeRecord): string {
  return encodeGlobalId(nodeTypeOf(record), record.backendId, record.nativeId)
}
