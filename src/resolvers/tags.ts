import { GatewayError } from '../errors.js'
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
    description: 'Sets tags on an experiment, run, registered model or model version (at most 100 per call, all or none).',
    args: {
      id: t.arg.id({ required: true }),
      tags: t.arg({ type: [TagInput], required: true }),
    },
    resolve: (_, { id, tags }, { federation, models }) => {
      const key = decodeGlobalId(id)
      switch (key.type) {
        case 'Run':
          return federation.setRunTags(key, tags)
        case 'Experiment':
          return federation.setExperimentTags(key, tags)
        case 'RegisteredModel':
          return models.setRegisteredModelTags(key, tags)
        case 'ModelVersion':
          return models.setModelVersionTags(key, tags)
        default:
          throw new GatewayError('BAD_USER_INPUT', `tags are set on experiments, runs, registered models and model versions, not on a ${key.type}`)
      }
    },
  }),
}))
