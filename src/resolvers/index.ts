import { builder } from './builder.js'
import './node.js'
import './backend.js'
import './tags.js'
import './experiment.js'
import './run.js'
import './registered-model.js'
import './model-version.js'
import './lineage.js'
import './metric.js'
import './subscription.js'
import './users.js'
import './audit.js'
import './webhooks.js'

/** The gateway's GraphQL schema, assembled from one file per domain. */
export const schema = builder.toSchema({ sortSchema: true })
