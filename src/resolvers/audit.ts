import type { AuditEvent } from '../contract/audit-log.js'
import type { GatewayContext } from '../context.js'
import type { AuditTrail } from '../federation/audit-trail.js'
import { unsupported } from '../errors.js'
import { builder, connectionOf } from './builder.js'
import { ModelVersionRef, RunRef } from './refs.js'

/** The audit trail: every write and permission change, who made it, through which API, and how it ended. */

const AuditEventRef = builder.objectRef<AuditEvent>('AuditEvent').implement({
  fields: (t) => ({
    id: t.id({ resolve: (event) => String(event.id) }),
    at: t.field({ type: 'DateTime', resolve: (event) => event.at }),
    actor: t.exposeString('actor'),
    api: t.string({ description: '`graphql` or `mlflow-api`.', resolve: (event) => event.door }),
    operation: t.exposeString('operation'),
    recordType: t.exposeString('recordType'),
    backend: t.exposeString('backendId', { nullable: true }),
    recordId: t.exposeString('recordId', { nullable: true }),
    summary: t.string({ description: 'What was written, as JSON: keys, counts, stages; never a value or a secret.', resolve: (event) => JSON.stringify(event.summary) }),
    result: t.string({ description: '`ok`, or the error code it ended with.', resolve: (event) => event.result }),
  }),
})

const AuditEventConnection = connectionOf('AuditEvent', AuditEventRef)

const AuditFilter = builder.inputType('AuditEventFilter', {
  fields: (t) => ({
    actor: t.string(),
    recordType: t.string({ description: 'experiment, run, registered_model, model_version, logged_model, user, role, ...' }),
    backend: t.id(),
    recordId: t.string(),
    operations: t.stringList({ description: 'Any of these, e.g. ["transitionModelVersion", "setModelVersionApproval"] for promotions on every backend.' }),
    from: t.field({ type: 'DateTime' }),
    to: t.field({ type: 'DateTime' }),
  }),
})

function trailOf(context: GatewayContext): AuditTrail {
  if (!context.audit) throw unsupported('auth is off on this gateway: there is no audit trail (see auth: in its config)')
  return context.audit
}

builder.queryFields((t) => ({
  auditEvents: t.field({
    type: AuditEventConnection,
    description: 'The audit trail, newest first (admins only).',
    args: { filter: t.arg({ type: AuditFilter }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_, args, context) =>
      trailOf(context).events(
        {
          actor: args.filter?.actor ?? undefined,
          recordType: args.filter?.recordType ?? undefined,
          backendId: args.filter?.backend ?? undefined,
          recordId: args.filter?.recordId ?? undefined,
          operations: args.filter?.operations ?? undefined,
          from: args.filter?.from ?? undefined,
          to: args.filter?.to ?? undefined,
        },
        { first: args.first ?? null, after: args.after ?? null },
      ),
  }),
}))

builder.objectField(RunRef, 'auditEvents', (t) =>
  t.field({
    type: AuditEventConnection,
    description: "This run's writes, newest first.",
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: (run, args, context) => trailOf(context).eventsOf('run', { backendId: run.backendId, nativeId: run.nativeId }, { first: args.first ?? null, after: args.after ?? null }),
  }),
)

builder.objectField(ModelVersionRef, 'auditEvents', (t) =>
  t.field({
    type: AuditEventConnection,
    description: "This version's writes (its promotions among them), newest first.",
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: (version, args, context) =>
      trailOf(context).eventsOf('model_version', { backendId: version.backendId, nativeId: version.nativeId }, { first: args.first ?? null, after: args.after ?? null }),
  }),
)
