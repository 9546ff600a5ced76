import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { GatewayError } from '../../errors.js'

/**
 * Webhook signing secrets at rest: AES-256-GCM under a key derived (HKDF)
 * from `webhooks.secretKey` in the config. Stored as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url); the webhook's id is the
 * associated data, so a secret copied to another webhook's row does not open.
 */
export class SecretBox {
  private readonly key: Buffer | null

  constructor(secretKey: string | undefined) {
    this.key = secretKey ? Buffer.from(hkdfSync('sha256', secretKey, 'mlgate-webhook-secrets', 'v1', 32)) : null
  }

  get enabled(): boolean {
    return this.key !== null
  }

  seal(secret: string, webhookId: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.requireKey(), iv)
    cipher.setAAD(Buffer.from(webhookId))
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()])
    return ['v1', iv, cipher.getAuthTag(), sealed].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.')
  }

  open(stored: string, webhookId: string): string {
    const [version, iv, tag, sealed] = stored.split('.')
    if (version !== 'v1' || !iv || !tag || sealed === undefined) throw new GatewayError('INTERNAL', 'a stored webhook secret is not in a known format')
    const decipher = createDecipheriv('aes-256-gcm', this.requireKey(), Buffer.from(iv, 'base64url'))
    decipher.setAAD(Buffer.from(webhookId))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    try {
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8')
    } catch {
      throw new GatewayError('INTERNAL', 'a stored webhook secret does not open with webhooks.secretKey (was the key changed?)')
    }
  }

  private requireKey(): Buffer {
    if (!this.key) throw new GatewayError('BAD_USER_INPUT', 'webhook secrets need webhooks.secretKey in the config (they are stored encrypted with it)')
    return this.key
  }
}
