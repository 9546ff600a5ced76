import { GatewayError } from '../errors.js'
import type { GatewayContext } from '../context.js'
import { type NodeRecord, decodeGlobalId, globalIdOf, nodeTypeOf } from '../ids.js'
import { builder } from './builder.js'
import { NodeRef } from './refs.js'

/** The Relay `Node` interface and `node`/`nodes`: any record by its global id, from any backend. */

NodeRef.implement({
  description: 'A record with a global id: "<Type>:<backend>:<nativeId>".',
  resolveType: (record) => nodeTypeOf(record),
  fields: (t) => ({
    id: t.id({ resolve: (record) => globalIdOf(record) }),
  }),
})

export function loadNode(context: GatewayContext, globalId: string): Promise<NodeRecord | null> {
  const key = decodeGlobalId(globalId)
  switch (key.type) {
    case 'Run':
      return context.federation.run(key)
    case 'Experiment':
      return context.federation.experiment(key)
    case 'RegisteredModel':
      return context.models.registeredModel(key)
    case 'ModelVersion':
      return context.models.modelVersion(key)
    default:
      // Datasets and unresolved references exist inside lineage graphs and on runs; they are not stored apart.
      throw new GatewayError('UNSUPPORTED', `a ${key.type} is reached through lineage or its run, not by id`)
  }
}

builder.queryFields((t) => ({
  node: t.field({
    type: NodeRef,
    nullable: true,
    description: 'Any record by its global id; null when it does not exist.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, context) => loadNode(context, id),
  }),
  nodes: t.field({
    type: [NodeRef],
    nullable: { list: false, items: true },
    description: 'Records by global id, in order, null where one does not exist. Lookups batch per backend.',
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_, { ids }, context) => Promise.all(ids.map((id) => loadNode(context, id))),
  }),
}))
