import { existsSync, readFileSync } from 'node:fs'
import { LOG_LEVELS } from './log.js'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import ipaddr from 'ipaddr.js'
import { PERMISSIONS } from './contract/identity-store.js'
import { MAX_USERNAME_LENGTH } from './auth/identity.js'

/**
 * The one schema for mlgate's configuration: the file (YAML or JSON), with
 * `${ENV_NAME}` references resolved from the environment before validation,
 * so secrets never need to sit in the file.
 */

/** Names an object key cannot hold as plain data (records keyed by backend id, cursors decoded from JSON). */
const RESERVED_IDS = new Set(['__proto__', 'constructor', 'prototype'])

export const backendIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-" (it is part of every global id)')
  .refine((id) => !RESERVED_IDS.has(id), 'must not be __proto__, constructor or prototype')
const backendId = backendIdSchema

/** Every backend's circuit breaker (see federation/circuit-breaker.ts). */
const circuitBreakerSchema = z
  .object({
    /** Consecutive failures that open the circuit. */
    failureThreshold: z.number().int().min(1).default(5),
    /** How long an open circuit fails fast before letting one probe through. */
    openMs: z.number().int().min(0).default(10_000),
  })
  .strict()
  .prefault({})

const nativeBackendSchema = z
  .object({
    id: backendId,
    kind: z.literal('native'),
    circuitBreaker: circuitBreakerSchema,
    /** A postgres:// URL uses a pg pool; absent, embedded PGlite under `dataDir`. */
    database: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    /** PGlite's directory; `memory://` keeps everything in memory (tests). */
    dataDir: z.string().min(1).default('./.mlgate/pglite'),
    /** The PostgreSQL schema that holds mlgate's tables. */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
      .default('public'),
    poolSize: z.number().int().min(1).max(200).default(10),
    /** modelVersionEvents: how often a watched registry is read for changes. */
    registryPollMs: z.number().int().min(50).default(1000),
  })
  .strict()

const mlflowAuthSchema = z.union([
  z.object({ bearer: z.string().min(1) }).strict(),
  z.object({ basic: z.object({ username: z.string().min(1), password: z.string() }).strict() }).strict(),
  z
    .object({
      sigv4: z
        .object({
          region: z.string().min(1).optional(),
          trackingServerArn: z.string().regex(/^arn:aws[\w-]*:sagemaker:[\w-]+:\d{12}:mlflow-tracking-server\/.+$/, 'must be a SageMaker MLflow tracking server ARN'),
        })
        .strict(),
    })
    .strict(),
])

const mlflowBackendSchema = z
  .object({
    id: backendId,
    kind: z.literal('mlflow'),
    circuitBreaker: circuitBreakerSchema,
    /** The tracking server's base URL; for SigV4 it defaults to https://<region>.experiments.sagemaker.aws. */
    url: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL').optional(),
    auth: mlflowAuthSchema.optional(),
    timeoutMs: z.number().int().min(1).default(10_000),
    maxConcurrency: z.number().int().min(1).max(256).default(16),
    readOnly: z.boolean().default(true),
    /** Reuse read answers across requests this long (0: off). Writes through mlgate empty the cache. */
    cacheTtlMs: z.number().int().min(0).default(0),
    /** Live metrics: one shared poller per watched run asks the server this often. */
    poll: z.object({ intervalMs: z.number().int().min(50).default(2000) }).strict().prefault({}),
  })
  .strict()
  .superRefine((backend, ctx) => {
    if (!backend.url && !(backend.auth && 'sigv4' in backend.auth)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required (it can be derived only for sigv4 auth)' })
    }
  })

const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1')
/** A VPC endpoint or a local emulator; default: the region's public endpoint. */
const awsEndpoint = z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL').optional()
/** Default: the AWS default credential chain (environment, profile, SSO, instance role). */
const awsCredentials = z
  .object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().min(1).optional() })
  .strict()
  .optional()

const sagemakerBackendSchema = z
  .object({
    id: backendId,
    kind: z.literal('sagemaker'),
    circuitBreaker: circuitBreakerSchema,
    region: awsRegion,
    endpoint: awsEndpoint,
    credentials: awsCredentials,
    /** One call, retries included, gives up after this long. */
    timeoutMs: z.number().int().min(1).default(10_000),
    maxConcurrency: z.number().int().min(1).max(64).default(8),
    /** Approvals are production decisions: off unless asked for. */
    readOnly: z.boolean().default(true),
    /** Reuse read answers across requests this long (0: off). Writes through mlgate empty the cache. */
    cacheTtlMs: z.number().int().min(0).default(0),
    /** modelVersionEvents: one shared poller per watched model reads package status and approval this often. */
    poll: z.object({ intervalMs: z.number().int().min(50).default(30_000) }).strict().prefault({}),
  })
  .strict()

/** The artifact proxy's files in an S3 bucket (mlflowApi.artifacts), shared by every replica. */
const s3ArtifactsSchema = z
  .object({
    kind: z.literal('s3'),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
    /** Keys go under this prefix (`mlflow-artifacts:/1/<run>/artifacts/model.pkl` → `<prefix>/1/<run>/artifacts/model.pkl`). */
    prefix: z.string().default(''),
    region: awsRegion,
    endpoint: awsEndpoint,
    credentials: awsCredentials,
    /** Path-style URLs (bucket in the path): default on when an endpoint is given (MinIO, moto), off for AWS. */
    forcePathStyle: z.boolean().optional(),
  })
  .strict()

/**
 * Every limit a client's request meets, in one place, with defaults safe for
 * a gateway anyone on the network can reach. Each refusal is a coded error
 * (BAD_USER_INPUT, QUERY_TOO_COMPLEX or RATE_LIMITED); see docs/architecture.md.
 */
export const limitsSchema = z
  .object({
    /** GraphQL: the deepest selection (a field inside a field ...). */
    queryDepth: z.number().int().min(1).default(15),
    /** GraphQL: aliased fields in one operation (alias bombs repeat a costly field under many names). */
    queryAliases: z.number().int().min(0).default(30),
    /** GraphQL: lexical tokens in one document, checked while parsing, before any other work. */
    queryTokens: z.number().int().min(100).default(5000),
    /** GraphQL: fields selected in one operation, aliases included. */
    queryBreadth: z.number().int().min(1).default(1000),
    /** GraphQL: the estimated cost, in which a list costs its `first` times its selection. */
    queryCost: z.number().int().min(1).default(50_000),
    /**
     * Clauses of one filter (typed or MLflow's syntax); MLflow's own server sets none. Each clause is
     * tested against every candidate run: on PGlite, which runs a statement to its end while the whole
     * process waits, ten clauses over 1,000 runs take about 40 ms a statement, twenty took up to 120 ms.
     */
    filterClauses: z.number().int().min(1).max(1000).default(10),
    /** Keys of one `orderBy`. */
    orderKeys: z.number().int().min(1).max(100).default(10),
    /** Any one string a client sends (a name, a filter, a description), in characters. */
    stringLength: z.number().int().min(256).default(65_536),
    /** Experiment and run names, as MLflow's SQL store sizes them (VARCHAR(256) and VARCHAR(250)). */
    experimentNameLength: z.number().int().min(1).default(256),
    runNameLength: z.number().int().min(1).default(250),
    /** A JSON request body (GraphQL or the MLflow API); a 1,000-metric log-batch is about 100 KB. */
    requestBodyBytes: z.number().int().min(1024).default(16 * 1024 * 1024),
    /** One artifact upload through the MLflow artifact proxy. */
    uploadBytes: z.number().int().min(1).default(1024 * 1024 * 1024),
    /**
     * GraphQL work one client address may ask for, in the cost units of queryCost, per minute (kept in
     * ten-second windows). A dashboard query of 50 runs with params, metrics and experiment costs about 3,000.
     */
    queryCostPerClientPerMinute: z.number().int().min(1).default(600_000),
    /** GraphQL operations from this cost up run one at a time (as do those of a client past half its budget window). */
    heavyQueryCost: z.number().int().min(1).default(5000),
    /** The share of the time heavy operations may have: after one that ran t, the next waits t × (1 / share − 1). */
    heavyQueryShare: z.number().gt(0).max(1).default(0.5),
    /** The longest a heavy operation may expect to wait for its turn (at the typical heavy operation's length); past it, RATE_LIMITED (retry in 1 s). */
    heavyQueryWaitMs: z.number().int().min(0).default(250),
    /** Live subscriptions on one graphql-ws socket. */
    subscriptionsPerConnection: z.number().int().min(1).default(50),
    /** Live subscriptions from one client address, over every transport. */
    subscriptionsPerClient: z.number().int().min(1).default(50),
    /** One graphql-ws message. */
    wsMessageBytes: z.number().int().min(1024).default(1024 * 1024),
    /** Every statement on a PostgreSQL server is cancelled past this (PGlite cannot interrupt one; the limits above bound it). */
    statementTimeoutMs: z.number().int().min(100).default(5000),
  })
  .strict()

export type Limits = z.infer<typeof limitsSchema>


/**
 * Who may use the gateway (see src/auth/). Absent: no identities, which
 * the CLI allows only on loopback; `mode: none` says so explicitly for
 * another bind. On: every route but /health and /ready needs a user (a
 * password, an API token, or the identity provider's JWT).
 */
const authSchema = z
  .object({
    mode: z.enum(['on', 'none']).default('on'),
    /** The native backend that keeps users and tokens; default: the first native one. */
    store: backendId.optional(),
    /** Created at start when no user of that name exists (MLflow's admin bootstrap); the password from an ${ENV} reference. */
    admin: z
      .object({
        username: z.string().min(1).max(MAX_USERNAME_LENGTH),
        password: z.string().min(12, 'must be at least 12 characters (as MLflow requires)'),
      })
      .strict()
      .optional(),
    /** What a user may do where no grant says otherwise (MLflow's default_permission). */
    defaultPermission: z.enum(PERMISSIONS).exclude(['DENY']).default('READ'),
    /** log2 of scrypt's N for new password hashes: 17 is OWASP's recommendation (128 MiB, ~0.2 s). */
    passwordHashCost: z.number().int().min(12).max(20).default(17),
    /** How long a password that checked out is remembered after its last use, so each request does not hash it again. */
    passwordRememberMs: z.number().int().min(0).default(60_000),
    /**
     * How long a replica reuses a user's record, an API token's and a user's
     * permission rows instead of reading them for every request. Changes
     * made through a replica apply there at once; on other replicas within
     * this long (MLflow's auth_cache_ttl_seconds, which is off by default). 0: read every time.
     */
    identityCacheMs: z.number().int().min(0).max(60_000).default(2_000),
    /**
     * Limits per role, for callers holding it (assigned, or from the identity provider's groups): the
     * most generous of a caller's roles applies; callers without a listed role get the general limits.
     */
    roleLimits: z
      .record(
        z.string().min(1),
        z
          .object({
            /** In place of limits.queryCostPerClientPerMinute. */
            queryCostPerMinute: z.number().int().min(1).optional(),
            /** In place of limits.subscriptionsPerClient. */
            subscriptions: z.number().int().min(1).optional(),
          })
          .strict(),
      )
      .default({}),
    /** Bearer JWTs from an OpenID provider, verified against its published keys. */
    oidc: z
      .object({
        issuer: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be the provider\'s http(s) issuer URL'),
        /** The audience tokens must name (this gateway's client id at the provider). */
        audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
        /** Default: the jwks_uri of the issuer's discovery document. */
        jwksUri: z.string().regex(/^https?:\/\/[^\s]+$/).optional(),
        /** The claim that names the user. */
        usernameClaim: z.string().min(1).default('preferred_username'),
        /** The claim whose values (groups) map to roles. */
        groupsClaim: z.string().min(1).default('groups'),
        /** Group → the roles a member holds; the group `admins` maps to nothing unless listed. */
        groupRoles: z.record(z.string(), z.array(z.string().min(1))).default({}),
        /** Groups whose members are admins. */
        adminGroups: z.array(z.string().min(1)).default([]),
        /** Clock skew tolerated on exp/nbf/iat. */
        clockToleranceSeconds: z.number().int().min(0).max(600).default(30),
        /** After fetching the provider's keys, how long before a token naming an unknown key may fetch them again (key rotation). */
        jwksCooldownMs: z.number().int().min(0).default(30_000),
      })
      .strict()
      .optional(),
  })
  .strict()

export type AuthConfig = z.infer<typeof authSchema>

/** A host name, an IP address or a CIDR range webhooks may send to although it is private or loopback. */
const allowedTarget = z
  .string()
  .min(1)
  .refine((entry) => (entry.includes('/') ? ipaddr.isValidCIDR(entry) : ipaddr.isValid(entry) || /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(entry)), 'must be a host name, an IP address or a CIDR range such as 10.0.0.0/8')

/** `metric.threshold_crossed`: a run's metric, averaged over its last `window` points, crossing a bound. */
const metricRuleSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be letters, digits, dots, underscores and hyphens, at most 63'),
    backend: backendId,
    /** The runs watched: one run, or every run of an experiment (new ones included). */
    experimentId: z.string().min(1).optional(),
    runId: z.string().min(1).optional(),
    key: z.string().min(1).max(250),
    /** `<`, `<=`, `>` or `>=` and a number, e.g. `< 0.9`. */
    condition: z.string().regex(/^\s*(<=|>=|<|>)\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/, 'must be a comparison with a number, such as "< 0.9"'),
    /** How many of the newest points are averaged; 1 means each point on its own. */
    window: z.number().int().min(1).max(1000).default(1),
  })
  .strict()
  .refine((rule) => (rule.experimentId === undefined) !== (rule.runId === undefined), 'must name exactly one of experimentId and runId')

const webhooksSchema = z
  .object({
    /** Encrypts webhook signing secrets at rest (at least 32 characters; as ${NAME}). Without it, webhooks cannot have secrets. */
    secretKey: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Private and loopback targets webhooks may send to (all others are refused). */
    allowedTargets: z.array(allowedTarget).default([]),
    /** Attempts per delivery before it is given up (kept in the delivery log, redeliverable). */
    maxAttempts: z.number().int().min(1).max(100).default(10),
    /** The first retry's wait; each next one doubles, up to maxBackoffMs. A Retry-After answer waits at least that long. */
    initialBackoffMs: z.number().int().min(1).default(1_000),
    maxBackoffMs: z.number().int().min(1).default(3_600_000),
    /** How long one delivery may take. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    metricRules: z.array(metricRuleSchema).default([]),
  })
  .strict()

/** A registry sync rule: versions of models named like `models` on `from` are mirrored as packages on the SageMaker backend `to`. */
const registrySyncRuleSchema = z
  .object({
    /** How status and /metrics name the rule; default `<from>-><to>:<models>`. */
    name: z.string().min(1).max(200).optional(),
    from: backendId,
    to: backendId,
    /** A glob over model names: `*` any run of characters, `?` one. */
    models: z.string().min(1).max(256),
    /** The inference container every package gets. */
    container: z
      .object({
        image: z.string().min(1).max(255),
        environment: z.record(z.string(), z.string()).default({}),
        framework: z.string().min(1).optional(),
      })
      .strict(),
    /**
     * Aliases that say a source version's promotion (MLflow 3 promotes by alias: `{ PRODUCTION: champion }`).
     * A version one of them points at has that promotion, and the sync writes that promotion by moving the alias;
     * other promotions are the stage's, as everywhere.
     */
    aliases: z
      .object({ PRODUCTION: z.string().min(1).max(255).optional(), CANDIDATE: z.string().min(1).max(255).optional(), RETIRED: z.string().min(1).max(255).optional() })
      .strict()
      .default({}),
    /** How often the source registry is read for new versions and promotions. */
    pollMs: z.number().int().min(100).default(5_000),
  })
  .strict()
  .transform((rule) => ({ ...rule, name: rule.name ?? `${rule.from}->${rule.to}:${rule.models}` }))

export const backendConfigSchema = z.discriminatedUnion('kind', [nativeBackendSchema, mlflowBackendSchema, sagemakerBackendSchema])

export const configSchema = z
  .object({
    server: z
      .object({
        port: z.number().int().min(0).max(65535).default(4000),
        host: z.string().min(1).default('127.0.0.1'),
        /** How long shutdown waits for in-flight requests before closing them. */
        shutdownTimeoutMs: z.number().int().min(0).default(10_000),
        /**
         * Web origins (scheme://host[:port]) whose pages may call the gateway from a browser.
         * Default: none, so only pages the gateway serves itself (same origin).
         */
        corsOrigins: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be an origin such as https://dash.example.com')).default([]),
        /**
         * Host names (the Host header, port aside) the gateway answers to; anything else is refused (DNS rebinding).
         * Default: the loopback names and the bound address when bound to loopback; any host otherwise.
         */
        allowedHosts: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .prefault({}),
    /** MLflow's REST API (`/api/2.0/mlflow/...`) over one backend, so stock MLflow clients log into mlgate. */
    mlflowApi: z
      .object({
        enabled: z.boolean().default(true),
        /** The backend MLflow clients write to; default: the first native backend. */
        backend: backendId.optional(),
        /** Where files logged through the artifact proxy (`mlflow-artifacts:/...` URIs) are stored, unless `artifacts` says otherwise. */
        artifactsDir: z.string().min(1).default('./.mlgate/artifacts'),
        /** Where the artifact proxy keeps files: a local directory (default: artifactsDir), or an S3 bucket every replica shares. */
        artifacts: z
          .discriminatedUnion('kind', [
            z.object({ kind: z.literal('local'), dir: z.string().min(1) }).strict(),
            s3ArtifactsSchema,
          ])
          .optional(),
      })
      .strict()
      .prefault({}),
    /** The dashboard served at `/`: default, the build `npm run build:web` writes (web/dist). */
    dashboard: z
      .object({ dir: z.string().min(1).optional() })
      .strict()
      .prefault({}),
    limits: limitsSchema.prefault({}),
    /** What the gateway tells an operator about itself. */
    telemetry: z
      .object({
        /** `GET /metrics` in Prometheus's text format, open to scrapers like /health (its labels carry no ids, values or secrets). */
        metrics: z.boolean().default(true),
        /** The log's level: JSON lines on standard output; debug adds one per HTTP request. */
        logLevel: z.enum(LOG_LEVELS).default('info'),
        /** OpenTelemetry traces over OTLP/HTTP; off unless an endpoint is given. */
        otlp: z
          .object({
            /** The collector's traces URL, e.g. http://otel-collector:4318/v1/traces. */
            endpoint: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL'),
            /** Headers for the collector (an API key, as ${NAME}). */
            headers: z.record(z.string(), z.string()).default({}),
            serviceName: z.string().min(1).default('mlgate'),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    auth: authSchema.optional(),
    /** Webhooks (MLflow 3's API and GraphQL) and how deliveries are made. */
    webhooks: webhooksSchema.prefault({}),
    registrySync: z.array(registrySyncRuleSchema).default([]),
    backends: z
      .array(backendConfigSchema)
      .min(1, 'must list at least one backend')
      // The embedded default: one native store on PGlite, with every field's own default.
      .prefault([{ id: 'local', kind: 'native' }]),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>()
    config.backends.forEach((backend, index) => {
      if (seen.has(backend.id)) {
        ctx.addIssue({ code: 'custom', path: ['backends', index, 'id'], message: `duplicate backend id "${backend.id}"` })
      }
      seen.add(backend.id)
    })
    const apiBackend = config.mlflowApi.backend
    if (apiBackend !== undefined) {
      const backend = config.backends.find((candidate) => candidate.id === apiBackend)
      if (!backend) ctx.addIssue({ code: 'custom', path: ['mlflowApi', 'backend'], message: `no backend "${apiBackend}" is configured` })
      else if (backend.kind === 'sagemaker') ctx.addIssue({ code: 'custom', path: ['mlflowApi', 'backend'], message: `backend "${apiBackend}" keeps no runs (SageMaker Model Registry)` })
    }
    const ruleNames = new Set<string>()
    config.registrySync.forEach((rule, index) => {
      if (ruleNames.has(rule.name)) ctx.addIssue({ code: 'custom', path: ['registrySync', index, 'name'], message: `another rule is named "${rule.name}": give each rule its own name` })
      ruleNames.add(rule.name)
      const from = config.backends.find((backend) => backend.id === rule.from)
      const to = config.backends.find((backend) => backend.id === rule.to)
      if (!from) ctx.addIssue({ code: 'custom', path: ['registrySync', index, 'from'], message: `no backend "${rule.from}" is configured` })
      else if (from.kind === 'sagemaker') ctx.addIssue({ code: 'custom', path: ['registrySync', index, 'from'], message: `backend "${rule.from}" is SageMaker: sync reads a native or MLflow registry` })
      if (!to) ctx.addIssue({ code: 'custom', path: ['registrySync', index, 'to'], message: `no backend "${rule.to}" is configured` })
      else if (to.kind !== 'sagemaker') ctx.addIssue({ code: 'custom', path: ['registrySync', index, 'to'], message: `backend "${rule.to}" is not a SageMaker backend` })
    })
    config.webhooks.metricRules.forEach((rule, index) => {
      if (!config.backends.some((backend) => backend.id === rule.backend)) ctx.addIssue({ code: 'custom', path: ['webhooks', 'metricRules', index, 'backend'], message: `no backend "${rule.backend}" is configured` })
    })
    if (config.auth?.mode === 'on') {
      const store = config.auth.store
      const found = store === undefined ? config.backends.find((backend) => backend.kind === 'native') : config.backends.find((backend) => backend.id === store)
      if (!found || found.kind !== 'native') {
        ctx.addIssue({
          code: 'custom',
          path: ['auth', 'store'],
          message: store === undefined ? 'auth needs a native backend to keep users in; none is configured' : `backend "${store}" is not a native backend (users live in the gateway's own store)`,
        })
      }
    }
  })

export type GatewayConfig = z.infer<typeof configSchema>
export type WebhooksConfig = GatewayConfig['webhooks']
export type MetricRuleConfig = WebhooksConfig['metricRules'][number]
export type RegistrySyncRuleConfig = GatewayConfig['registrySync'][number]
export type BackendConfig = z.infer<typeof backendConfigSchema>
export type NativeBackendConfig = z.infer<typeof nativeBackendSchema>
export type MlflowBackendConfig = z.infer<typeof mlflowBackendSchema>
export type MlflowAuthConfig = z.infer<typeof mlflowAuthSchema>
export type SagemakerBackendConfig = z.infer<typeof sagemakerBackendSchema>
export type S3ArtifactsConfig = z.infer<typeof s3ArtifactsSchema>
export type ArtifactsConfig = NonNullable<GatewayConfig['mlflowApi']['artifacts']>
export type ConfigInput = z.input<typeof configSchema>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Validates an already-parsed config object (env references resolved first). */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, source = 'config'): GatewayConfig {
  const resolved = resolveEnvReferences(raw ?? {}, env, [], source)
  const result = configSchema.safeParse(resolved)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${formatPath(issue.path)}: ${issue.message}`)
    throw new ConfigError(`${source} is invalid:\n${lines.join('\n')}`)
  }
  return result.data
}

/** Reads a YAML or JSON file (JSON is YAML) and validates it. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  if (!existsSync(path)) throw new ConfigError(`config file ${path} does not exist`)
  let raw: unknown
  try {
    raw = parseYaml(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid YAML or JSON: ${(error as Error).message}`)
  }
  return parseConfig(raw, env, path)
}

const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

function resolveEnvReferences(value: unknown, env: NodeJS.ProcessEnv, path: (string | number)[], source: string): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REFERENCE, (_, name: string) => {
      const found = env[name]
      if (found === undefined) {
        throw new ConfigError(`${source} is invalid:\n  ${formatPath(path)}: environment variable ${name} is not set`)
      }
      return found
    })
  }
  if (Array.isArray(value)) return value.map((item, index) => resolveEnvReferences(item, env, [...path, index], source))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveEnvReferences(item, env, [...path, key], source)]),
    )
  }
  return value
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)'
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('')
}
