import { afterAll, beforeAll, expect, it } from 'vitest'
import { ExperimentsDocument } from '../generated/graphql.js'
import { type MlflowPeer, pythonPeersVenv, startMlflow } from '../peers/mlflow.js'
import { describeMlflow } from '../support/engines.js'
import { errorCodes, startTestGateway } from '../support/gateway.js'
import { freePort } from '../support/free-port.js'

/** Basic auth against MLflow's own basic-auth app: accepted, refused as BACKEND_AUTH, never leaked. */
describeMlflow('MLflow with authentication', () => {
  let peer: MlflowPeer
  const password = 'admin-secret-1234'

  beforeAll(async () => {
    const venv = pythonPeersVenv()
    if (!venv) throw new Error('no Python peers virtualenv')
    peer = await startMlflow(venv, await freePort(), { adminPassword: password })
  }, 180_000)
  afterAll(() => peer?.stop())

  it('reads with the right basic credentials, from the auth block or the URL', async () => {
    const url = new URL(peer.url)
    const gw = await startTestGateway({
      backends: [
        { id: 'block', kind: 'mlflow', url: peer.url, auth: { basic: { username: 'admin', password } } },
        { id: 'inurl', kind: 'mlflow', url: `http://admin:${password}@${url.host}` },
      ],
    })
    try {
      const result = await gw.data(ExperimentsDocument, {})
      expect(result.experiments.edges.map((edge) => edge.node.id).sort()).toEqual(['Experiment:block:0', 'Experiment:inurl:0'])
    } finally {
      await gw.close()
    }
  })

  it('maps refused credentials to BACKEND_AUTH naming the backend, and never shows them', async () => {
    const url = new URL(peer.url)
    const gw = await startTestGateway({
      backends: [
        { id: 'wrong', kind: 'mlflow', url: peer.url, auth: { basic: { username: 'admin', password: 'not-the-password' } } },
        { id: 'none', kind: 'mlflow', url: `http://${url.host}` },
      ],
    })
    try {
      for (const backend of ['wrong', 'none']) {
        const result = await gw.request(ExperimentsDocument, { backends: [backend] })
        expect(errorCodes(result)).toEqual(['BACKEND_AUTH'])
        expect(result.errors?.[0].extensions?.backend).toBe(backend)
        expect(JSON.stringify(result)).not.toContain('not-the-password')
      }
    } finally {
      await gw.close()
    }
  })
})

