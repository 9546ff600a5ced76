import { isExperiment, isRun } from '../domain.js'
import type { GatewayContext } from '../context.js'
import { decodeGlobalId, encodeGlobalId } from '../ids.js'
import { builder } from './builder.js'
import { NodeRef } from './refs.js'

/** The Relay `Node` interface and `node`/`nodes`: any record by its global id, from any backend. */

NodeRef.implement({
  description: 'A record with a global id: "<Type>:<backend>:<nativeId>".',
  resolveType: (record) => (isRun(record) ? 'Run' : 'Experiment'),
  fields: (t) => ({
    id: t.id({
      resolve: (record) =>
        isRun(record)
          ? encodeGlobalId('Run', record.backendId, record.nativeId)
          : encodeGlobalId('Experiment', record.backendId, record.nativeId),
    }),
  }),
})

async function loadNode(context: GatewayContext, globalId: string) {
  const key = decodeGlobalId(globalId)
  const record = key.type === 'Run' ? await context.federation.run(key) : await context.federation.experiment(key)
  return record && (isRun(record) || isExperiment(record)) ? record : null
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
