import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfigFile, parseConfig } from '../src/config.js'

describe('config', () => {
  it('defaults to one native backend "local" on PGlite under ./.mlgate, on 127.0.0.1:4000', () => {
    const config = parseConfig({})
    expect(config.server).toMatchObject({ port: 4000, host: '127.0.0.1' })
    expect(config.backends).toEqual([
      { id: 'local', kind: 'native', dataDir: './.mlgate/pglite', schema: 'public', poolSize: 10, registryPollMs: 1000, circuitBreaker: { failureThreshold: 5, openMs: 10_000 } },
    ])
  })

  it('resolves ${ENV} references anywhere in the file', () => {
    const config = parseConfig(
      { backends: [{ id: 'main', kind: 'native', database: 'postgres://${DB_USER}:${DB_PASS}@db:5432/ml' }] },
      { DB_USER: 'ml', DB_PASS: 's3cret' },
    )
    expect(config.backends[0]).toMatchObject({ database: 'postgres://ml:s3cret@db:5432/ml' })
  })

  it('names a missing environment variable and where it is used', () => {
    expect(() => parseConfig({ backends: [{ id: 'x', kind: 'native', database: '${NOPE}' }] }, {})).toThrow(
      /backends\[0\]\.database: environment variable NOPE is not set/,
    )
  })

  it.each([
    [{ server: { port: 70000 } }, /server\.port/],
    [{ backends: [] }, /backends: must list at least one backend/],
    [{ backends: [{ id: 'a:b', kind: 'native' }] }, /backends\[0\]\.id: must be 1-64 letters/],
    [{ backends: [{ id: '__proto__', kind: 'native' }] }, /backends\[0\]\.id: must not be __proto__/],
    [{ backends: [{ id: 'a', kind: 'oracle' }] }, /backends\[0\]\.kind/],
    [{ backends: [{ id: 'a', kind: 'native', database: 'mysql://x' }] }, /backends\[0\]\.database: must be a postgres/],
    [{ backends: [{ id: 'a', kind: 'native' }, { id: 'a', kind: 'native' }] }, /backends\[1\]\.id: duplicate backend id "a"/],
    [{ backends: [{ id: 'a', kind: 'native', colour: 'blue' }] }, /backends\[0\]/],
    [{ sever: {} }, /sever|Unrecognized/],
  ])('refuses %j naming the field and why', (raw, message) => {
    expect(() => parseConfig(raw, {})).toThrow(ConfigError)
    expect(() => parseConfig(raw, {})).toThrow(message)
  })

  it('accepts MLflow backends with defaults, and needs a url unless SigV4 can derive it', () => {
    const config = parseConfig(
      {
        backends: [
          { id: 'team', kind: 'mlflow', url: 'http://mlflow:5000', auth: { bearer: '${TOKEN}' } },
          { id: 'sm', kind: 'mlflow', auth: { sigv4: { trackingServerArn: 'arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/a' } } },
        ],
      },
      { TOKEN: 't0k' },
    )
    expect(config.backends[0]).toMatchObject({ timeoutMs: 10_000, maxConcurrency: 16, readOnly: true, auth: { bearer: 't0k' } })
    expect(() => parseConfig({ backends: [{ id: 'x', kind: 'mlflow' }] }, {})).toThrow(/backends\[0\]\.url: is required/)
    expect(() => parseConfig({ backends: [{ id: 'x', kind: 'mlflow', url: 'http://h', auth: { sigv4: { trackingServerArn: 'nope' } } }] }, {})).toThrow(
      /trackingServerArn: must be a SageMaker MLflow tracking server ARN/,
    )
    expect(() => parseConfig({ backends: [{ id: 'x', kind: 'mlflow', url: 'http://h', auth: { token: 'x' } }] }, {})).toThrow(/backends\[0\]\.auth/)
  })

  it('accepts SageMaker backends read-only by default, with credentials from ${ENV} references', () => {
    const config = parseConfig(
      { backends: [{ id: 'sm', kind: 'sagemaker', region: 'eu-west-1', credentials: { accessKeyId: '${AK}', secretAccessKey: '${SK}' } }] },
      { AK: 'AKIA1', SK: 'secret' },
    )
    expect(config.backends[0]).toMatchObject({
      kind: 'sagemaker',
      region: 'eu-west-1',
      readOnly: true,
      timeoutMs: 10_000,
      maxConcurrency: 8,
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'secret' },
    })
    expect(() => parseConfig({ backends: [{ id: 'sm', kind: 'sagemaker', region: 'Europe' }] })).toThrow(/backends\[0\]\.region: must be an AWS region/)
    expect(() => parseConfig({ backends: [{ id: 'sm', kind: 'sagemaker', region: 'us-east-1', endpoint: 'moto' }] })).toThrow(/backends\[0\]\.endpoint/)
  })

  it('reads YAML and JSON files, and names a file that does not parse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-config-'))
    writeFileSync(join(dir, 'a.yaml'), 'server:\n  port: 5000\nbackends:\n  - id: lab\n    kind: native\n    dataDir: /tmp/x\n')
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ backends: [{ id: 'lab', kind: 'native' }] }))
    writeFileSync(join(dir, 'c.yaml'), 'server: [unclosed')
    expect(loadConfigFile(join(dir, 'a.yaml'), {})).toMatchObject({ server: { port: 5000 }, backends: [{ id: 'lab', dataDir: '/tmp/x' }] })
    expect(loadConfigFile(join(dir, 'b.json'), {}).backends[0].id).toBe('lab')
    expect(() => loadConfigFile(join(dir, 'c.yaml'), {})).toThrow(/c\.yaml is not valid YAML or JSON/)
    expect(() => loadConfigFile(join(dir, 'missing.yaml'), {})).toThrow(/does not exist/)
  })

  it('checks registry sync rules, webhook targets and metric rules against the backends', () => {
    const backends = [
      { id: 'local', kind: 'native' as const },
      { id: 'ml', kind: 'mlflow' as const, url: 'http://mlflow:5000' },
      { id: 'sm', kind: 'sagemaker' as const, region: 'us-east-1' },
    ]
    const rule = { from: 'ml', to: 'sm', models: 'churn-*', container: { image: 'serve:1' } }
    const parsed = parseConfig({ backends, registrySync: [rule], webhooks: { allowedTargets: ['127.0.0.1', '10.0.0.0/8', 'hooks.internal'] } }, {})
    expect(parsed.registrySync[0]).toMatchObject({ name: 'ml->sm:churn-*', models: 'churn-*', pollMs: 5000, container: { image: 'serve:1', environment: {} }, aliases: {} })
    expect(() => parseConfig({ backends, registrySync: [rule, { ...rule }] }, {})).toThrow(/another rule is named "ml->sm:churn-\*"/)
    expect(parsed.webhooks).toMatchObject({ maxAttempts: 10, timeoutMs: 10_000, metricRules: [] })
    expect(() => parseConfig({ backends, registrySync: [{ ...rule, to: 'ml' }] }, {})).toThrow(/registrySync\[0\]\.to: backend "ml" is not a SageMaker backend/)
    expect(() => parseConfig({ backends, registrySync: [{ ...rule, from: 'sm' }] }, {})).toThrow(/registrySync\[0\]\.from/)
    expect(() => parseConfig({ backends, registrySync: [{ ...rule, from: 'nope' }] }, {})).toThrow(/no backend "nope"/)
    expect(() => parseConfig({ backends, webhooks: { allowedTargets: ['10.0.0.0/33'] } }, {})).toThrow(/allowedTargets/)
    expect(() => parseConfig({ backends, webhooks: { secretKey: 'short' } }, {})).toThrow(/secretKey: must be at least 32 characters/)
    const metricRule = { name: 'drop', backend: 'local', key: 'accuracy', condition: '< 0.9' }
    expect(() => parseConfig({ backends, webhooks: { metricRules: [metricRule] } }, {})).toThrow(/exactly one of experimentId and runId/)
    expect(() => parseConfig({ backends, webhooks: { metricRules: [{ ...metricRule, runId: 'r', condition: '~ 3' }] } }, {})).toThrow(/condition/)
    expect(parseConfig({ backends, webhooks: { metricRules: [{ ...metricRule, experimentId: '1' }] } }, {}).webhooks.metricRules[0].window).toBe(1)
  })
})
