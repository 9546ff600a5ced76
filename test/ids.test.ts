import { describe, expect, it } from 'vitest'
import { GatewayError } from '../src/errors.js'
import { decodeGlobalId, decodeGlobalIdOf, encodeGlobalId } from '../src/ids.js'

describe('global ids', () => {
  it('round-trip, splitting at the first two colons so native ids may contain colons', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3'
    const id = encodeGlobalId('Run', 'sm', arn)
    expect(id).toBe(`Run:sm:${arn}`)
    expect(decodeGlobalId(id)).toEqual({ type: 'Run', backendId: 'sm', nativeId: arn })
  })

  it.each(['', 'Run', 'Run:local', 'Run:local:', 'Run::abc', ':local:abc', 'Widget:local:1'])('refuses %j as BAD_USER_INPUT', (id) => {
    expect(() => decodeGlobalId(id)).toThrow(GatewayError)
    try {
      decodeGlobalId(id)
    } catch (error) {
      expect((error as GatewayError).code).toBe('BAD_USER_INPUT')
    }
  })

  it('checks the expected type', () => {
    expect(() => decodeGlobalIdOf('Experiment', 'Run:local:abc')).toThrow(/is a Run id; expected a Experiment id/)
  })
})
