import { describe, expect, it } from 'vitest'
import { parseMlflowFilter } from '../src/federation/mlflow-filter.js'

describe('MLflow filter syntax', () => {
  it.each([
    ['', []],
    ['metrics.acc > 0.9', [{ field: 'metric', key: 'acc', op: 'GT', value: 0.9 }]],
    ["params.lr = '0.01' AND metrics.loss <= 1e-3", [
      { field: 'param', key: 'lr', op: 'EQ', value: '0.01' },
      { field: 'metric', key: 'loss', op: 'LTE', value: 0.001 },
    ]],
    ['tags.`my tag` LIKE "x%"', [{ field: 'tag', key: 'my tag', op: 'LIKE', value: 'x%' }]],
    ['tags."mlflow.user" ILIKE \'%ada%\'', [{ field: 'tag', key: 'mlflow.user', op: 'ILIKE', value: '%ada%' }]],
    ["tags.mlflow.source.type = 'LOCAL'", [{ field: 'tag', key: 'mlflow.source.type', op: 'EQ', value: 'LOCAL' }]],
    ["attributes.status IN ('FINISHED', 'FAILED')", [{ field: 'status', op: 'IN', values: ['FINISHED', 'FAILED'] }]],
    ["attribute.run_id NOT IN ('a')", [{ field: 'runId', op: 'NOT_IN', values: ['a'] }]],
    ["run_name != 'x'", [{ field: 'name', op: 'NEQ', value: 'x' }]],
    ['attributes.start_time >= 1700000000000', [{ field: 'startTime', op: 'GTE', value: 1700000000000 }]],
    ["params.note = 'it''s'", [{ field: 'param', key: 'note', op: 'EQ', value: "it's" }]],
    ['metric.`val-loss` < -0.5', [{ field: 'metric', key: 'val-loss', op: 'LT', value: -0.5 }]],
    ["metrics.acc>0.5 and PARAMS.lr<>'1'", [
      { field: 'metric', key: 'acc', op: 'GT', value: 0.5 },
      { field: 'param', key: 'lr', op: 'NEQ', value: '1' },
    ]],
  ])('parses %j', (text, all) => {
    expect(parseMlflowFilter(text)).toEqual({ all })
  })

  it.each([
    ['metrics.acc > ', 'expected a number; found end of input at position 14'],
    ["metrics.acc > 'high'", 'expected a number; found "\'high\'" at position 14'],
    ['metrics.acc LIKE 1', 'operator LIKE does not apply to metrics'],
    ["params.lr > '1'", 'operator > does not apply to params'],
    ["params.lr = '1' or params.x = '2'", 'OR is not supported'],
    ["params.lr = '1' params.x = '2'", 'expected AND or the end of the filter; found "params" at position 16'],
    ['colour.red = 1', 'expected metrics, params, tags or attributes before "."; found "colour" at position 0'],
    ["attributes.owner = 'x'", 'unknown attribute "owner"'],
    ["params.lr = 'open", 'unterminated quote'],
    ['metrics.acc ~ 1', 'unexpected character "~" at position 12'],
    ["attributes.status IN 'x'", 'expected ( to start a list'],
  ])('refuses %j with a message naming the token and position', (text, message) => {
    expect(() => parseMlflowFilter(text)).toThrow(message)
    try {
      parseMlflowFilter(text)
    } catch (error) {
      expect((error as { code: string }).code).toBe('BAD_USER_INPUT')
    }
  })
})
