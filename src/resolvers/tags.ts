import { decodeGlobalId } from '../ids.js'
import { builder } from './builder.js'
import { KeyValueRef, NodeRef } from './refs.js'

/** Key/value pairs (params and tags), and `setTags` on experiments and runs. */

KeyValueRef.implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    value: t.exposeString('value'),
  }),
})

export const TagInput = builder.inputType('TagInput', {
  description: 'A tag: at most 250 characters of key, 8,000 of value. Setting a tag again replaces its value.',
  fields: (t) => ({ key: t.string({ required: true }), value: t.string({ required: true }) }),
})

builder.mutationFields((t) => ({
  setTags: t.field({
    type: NodeRef,
    description: 'Sets tags on an experiment or a run (at most 100 per call, all or none).',
    args: {
      id: t.arg.id({ required: true }),
      tags: t.arg({ type: [TagInput], required: true }),
    },
    resolve: (_, { id, tags }, { federation }) => {
      const key = decodeGlobalId(id)
      return key.type === 'Run' ? federation.setRunTags(key, tags) : federation.setExperimentTags(key, tags)
    },
  }),
}))
