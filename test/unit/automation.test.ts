import { describe, expect, it } from 'vitest'
import { retryAfterOf, signatureOf } from '../../src/federation/automation/delivery.js'
import { ThresholdWatch, parseCondition } from '../../src/federation/automation/metric-rules.js'
import { nextAttemptAt } from '../../src/federation/automation/outbox-worker.js'
import { globMatcher } from '../../src/federation/automation/registry-sync.js'
import { SecretBox } from '../../src/federation/automation/secrets.js'
import { TargetPolicy } from '../../src/federation/automation/targets.js'

describe('automation pieces', () => {
  it('matches model names by glob, with every other character literal', () => {
    const churn = globMatcher('churn-*')
    expect(['churn-a', 'churn-', 'churn-x.y'].map(churn)).toEqual([true, true, true])
    expect(['churn', 'xchurn-a', 'Churn-a'].map(churn)).toEqual([false, false, false])
    expect(globMatcher('m?.v(1)')('mA.v(1)')).toBe(true)
    expect(globMatcher('m?.v(1)')('mA-v(1)')).toBe(false)
  })

  it('reads Retry-After as seconds or an HTTP date, and backs off exponentially, never before it', () => {
    const now = Date.UTC(2026, 0, 1)
    expect(retryAfterOf('120', now)?.getTime()).toBe(now + 120_000)
    expect(retryAfterOf('Thu, 01 Jan 2026 00:05:00 GMT', now)?.getTime()).toBe(now + 300_000)
    expect(retryAfterOf('soon', now)).toBeNull()
    expect(retryAfterOf(null, now)).toBeNull()
    const options = { initialBackoffMs: 1_000, maxBackoffMs: 60_000 }
    const waits = [0, 1, 2, 3, 10].map((attempts) => nextAttemptAt(attempts, options, null, now).getTime() - now)
    expect(waits[0]).toBeGreaterThanOrEqual(800)
    expect(waits[0]).toBeLessThanOrEqual(1_200)
    expect(waits[3]).toBeGreaterThanOrEqual(6_400)
    expect(waits[4]).toBeLessThanOrEqual(72_000)
    expect(nextAttemptAt(0, options, new Date(now + 3_600_000), now).getTime()).toBe(now + 3_600_000)
  })

  it("signs as MLflow does: v1, base64 HMAC-SHA256 over id.timestamp.body", () => {
    // MLflow's own code checks real deliveries (test/automation/webhooks.test.ts); here, the shape and that the timestamp is signed.
    expect(signatureOf('secret', 'id-1', '1700000000', '{"a":1}')).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/)
    expect(signatureOf('secret', 'id-1', '1700000000', '{"a":1}')).not.toBe(signatureOf('secret', 'id-1', '1700000001', '{"a":1}'))
  })

  it('fires once per crossing of the windowed average', () => {
    const watch = new ThresholdWatch(3, parseCondition('>= 10'))
    const points = (values: number[]) => values.map((value, step) => ({ step, value, timestamp: new Date(step) }))
    expect(watch.add(points([30, 0]))).toEqual([])
    expect(watch.add(points([0])).map((crossing) => crossing.value)).toEqual([10])
    expect(watch.add(points([30, 30, 0, 0, 0, 60]))).toHaveLength(1)
    expect(parseCondition(' <= -1.5e2 ')(-150)).toBe(true)
    expect(parseCondition('< 0.9')(Number.NaN)).toBe(false)
  })

  it("seals secrets to their webhook: another webhook's row or another key does not open them", () => {
    const box = new SecretBox('k'.repeat(32))
    const sealed = box.seal('shh', 'hook-1')
    expect(sealed).not.toContain('shh')
    expect(box.open(sealed, 'hook-1')).toBe('shh')
    expect(box.seal('shh', 'hook-1')).not.toBe(sealed)
    expect(() => box.open(sealed, 'hook-2')).toThrow(/does not open/)
    expect(() => new SecretBox('j'.repeat(32)).open(sealed, 'hook-1')).toThrow(/does not open/)
    expect(() => new SecretBox(undefined).seal('shh', 'hook-1')).toThrow(/secretKey/)
  })

  it('refuses private, loopback, link-local and mapped addresses unless allowed by address, range or name', async () => {
    const strict = new TargetPolicy([])
    for (const url of ['http://127.0.0.1/', 'http://10.0.0.1/', 'http://192.168.1.1/', 'http://169.254.169.254/', 'http://[::1]/', 'http://[fd00::1]/', 'http://[::ffff:10.0.0.1]/', 'http://0.0.0.0/', 'http://100.64.0.1/']) {
      await expect(strict.check(url), url).rejects.toThrow(/allowedTargets/)
    }
    await expect(strict.check('http://93.184.216.34/hook')).resolves.toBeInstanceOf(URL)
    const allowed = new TargetPolicy(['10.0.0.0/8', '::1', 'receiver.internal'])
    await expect(allowed.check('http://10.2.3.4/')).resolves.toBeInstanceOf(URL)
    await expect(allowed.check('http://[::1]:8080/')).resolves.toBeInstanceOf(URL)
    await expect(allowed.check('http://receiver.internal/')).resolves.toBeInstanceOf(URL)
    await expect(allowed.check('http://192.168.0.1/')).rejects.toThrow(/allowedTargets/)
    await expect(allowed.check('gopher://10.2.3.4/')).rejects.toThrow(/scheme/)
  })
})
