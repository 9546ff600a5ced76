import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnMlgate, waitForListening } from '../support/gateway-process.js'

/** Passwords, API tokens and bearer tokens never reach a log line or an error body, whatever a client sends. */
// The gateway process on its embedded default store: where secrets go does not depend on the engine.
describe('secrets under auth', () => {
  it('stay out of the process output and the answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlgate-secrets-'))
    const adminPassword = 'admin-Secret-0001'
    writeFileSync(join(dir, 'mlgate.yaml'), 'auth:\n  admin: { username: admin, password: "${MLGATE_ADMIN_PASSWORD}" }\n  passwordHashCost: 12\n')
    const child = spawnMlgate(['--port', '0'], { cwd: dir, env: { ...process.env, MLGATE_ADMIN_PASSWORD: adminPassword } })
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const { port } = await waitForListening(child)
    const url = `http://127.0.0.1:${port}`
    const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    const answers: string[] = []
    const ask = async (authorization: string, query: string) => {
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
      const text = await response.text()
      answers.push(text)
      return text
    }
    try {
      const created = JSON.parse(await ask(basic('admin', adminPassword), 'mutation { createApiToken(input: { username: "admin", name: "ci" }) { token } }')) as { data: { createApiToken: { token: string } } }
      const token = created.data.createApiToken.token
      const secrets = [adminPassword, 'wrong-Secret-0002', token.slice(-43), 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2VjcmV0LXNpZ25hdHVyZQ']
      await ask(basic('admin', 'wrong-Secret-0002'), '{ viewer { username } }')
      await ask(basic('nobody', 'wrong-Secret-0002'), '{ viewer { username } }')
      await ask(`Bearer ${token}`, '{ viewer { username } }')
      await ask(`Bearer ${token.slice(0, -1)}X`, '{ viewer { username } }')
      await ask(`Bearer ${secrets[3]}`, '{ viewer { username } }')
      await ask(basic('admin', adminPassword), 'mutation { createUser(input: { username: "x", password: "wrong-Secret-0002" }) { username } }')
      await ask(basic('admin', adminPassword), 'mutation { createUser(input: { username: "y", password: "short" }) { username } }')
      const mlflow = await fetch(`${url}/api/2.0/mlflow/users/create`, { method: 'POST', headers: { authorization: basic('admin', 'wrong-Secret-0002'), 'content-type': 'application/json' }, body: '{}' })
      answers.push(await mlflow.text())
      const trail = await ask(basic('admin', adminPassword), '{ auditEvents(first: 100) { nodes { operation summary } } }')
      expect(trail).toContain('createUser')
      // The first answer carries the token itself, once, by design; nothing else may carry any secret.
      for (const secret of secrets) {
        expect(output, 'process output').not.toContain(secret)
        for (const answer of answers.slice(1)) expect(answer).not.toContain(secret)
      }
    } finally {
      child.kill('SIGTERM')
    }
  })
})
