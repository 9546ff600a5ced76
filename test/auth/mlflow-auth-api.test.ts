import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type MlflowPeer, pythonPeersVenv, startMlflow } from '../peers/mlflow.js'
import { describeEachEngine, describeMlflow, nativeBackendConfig } from '../support/engines.js'
import { freePort } from '../support/free-port.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'

/**
 * MLflow's auth app's user endpoints beside the real one (`mlflow server
 * --app-name basic-auth`): the same requests, with the same credentials,
 * answered alike; and the stock clients (AuthServiceClient, MlflowClient
 * with a password, an API token as password, MLFLOW_TRACKING_TOKEN) against mlgate.
 */

const PASSWORD = 'admin-password-1'
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

async function call(base: string, method: Method, path: string, authorization: string, body?: Record<string, unknown>, version = '2.0') {
  const url = new URL(`${base}/api/${version}/mlflow/${path}`)
  if (method === 'GET' && body) for (const [key, value] of Object.entries(body)) url.searchParams.set(key, String(value))
  const response = await fetch(url, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: method === 'GET' || body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // MLflow answers some refusals as text.
  }
  return { status: response.status, body: parsed }
}

/** User, role and row ids differ between the servers (their admin rows were made differently): masked. */
const ID_KEYS = new Set(['id', 'user_id', 'role_id'])
const masked = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (key, item: unknown) => (ID_KEYS.has(key) && (typeof item === 'number' || typeof item === 'string') ? '<id>' : item))

describeMlflow('the MLflow auth API beside mlflow server --app-name basic-auth', () => {
  describeEachEngine('differential', (engine) => {
    let peer: MlflowPeer
    let gw: TestGateway
    let mlgate: string

    beforeAll(async () => {
      const venv = pythonPeersVenv()
      if (!venv) throw new Error('no Python peers virtualenv')
      ;[peer, gw] = await Promise.all([
        startMlflow(venv, await freePort(), { adminPassword: PASSWORD }),
        startTestGateway({ backends: [nativeBackendConfig(engine)], auth: { admin: { username: 'admin', password: PASSWORD }, passwordHashCost: 12 } }),
      ])
      mlgate = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    }, 180_000)
    afterAll(() => Promise.all([peer?.stop(), gw?.close()]))

    async function same(method: Method, path: string, authorization: string, body?: Record<string, unknown>, compare: 'all' | 'status' = 'all') {
      const [theirs, ours] = await Promise.all([call(peer.url, method, path, authorization, body), call(mlgate, method, path, authorization, body)])
      if (compare === 'status') expect(ours.status, `${method} ${path}`).toBe(theirs.status)
      else expect(masked(ours), `${method} ${path}`).toEqual(masked(theirs))
      return ours
    }

    /** The same on MLflow 3's auth API (`/api/3.0`), with a body built per server (each names its own ids); both answers back. */
    async function same3(method: Method, path: string, authorization: string, body: (side: 'theirs' | 'ours') => Record<string, unknown>, compare: 'all' | 'status' = 'all') {
      const [theirs, ours] = await Promise.all([call(peer.url, method, path, authorization, body('theirs'), '3.0'), call(mlgate, method, path, authorization, body('ours'), '3.0')])
      if (compare === 'status') expect(ours.status, `${method} ${path}: ${JSON.stringify(ours.body)} / ${JSON.stringify(theirs.body)}`).toBe(theirs.status)
      else expect(masked(ours), `${method} ${path}`).toEqual(masked(theirs))
      return { theirs: theirs.body as Record<string, { id: number }>, ours: ours.body as Record<string, { id: number }> }
    }

    it('creates, reads, changes and deletes users as MLflow does, and refuses what it refuses', async () => {
      const admin = basic('admin', PASSWORD)
      const created = await same('POST', 'users/create', admin, { username: 'ana', password: 'ana-password-12' })
      expect(created.body).toMatchObject({ user: { username: 'ana', is_admin: false } })
      // MLflow appends its database's error to this message; mlgate says the same without it.
      const twice = await same('POST', 'users/create', admin, { username: 'ana', password: 'ana-password-12' }, 'status')
      expect(twice.body).toMatchObject({ error_code: 'RESOURCE_ALREADY_EXISTS', message: 'User (username=ana) already exists.' })
      await same('POST', 'users/create', admin, { username: 'bo', password: 'short' })
      await same('GET', 'users/get', admin, { username: 'ana' })
      await same('GET', 'users/get', admin, { username: 'nobody' })
      await same('PATCH', 'users/update-admin', admin, { username: 'ana', is_admin: true })
      await same('GET', 'users/get', admin, { username: 'ana' })
      await same('PATCH', 'users/update-admin', admin, { username: 'ana', is_admin: false })
      await same('PATCH', 'users/update-password', admin, { username: 'ana', password: 'ana-password-34' })
      await same('GET', 'users/current', admin)

      const ana = basic('ana', 'ana-password-34')
      await same('GET', 'users/get', ana, { username: 'ana' })
      await same('GET', 'users/current', ana)
      // Refusals: MLflow's auth app answers 403 as text, mlgate as MLflow's PERMISSION_DENIED body.
      for (const [method, path, body] of [
        ['GET', 'users/get', { username: 'admin' }],
        ['POST', 'users/create', { username: 'eve', password: 'eve-password-12' }],
        ['PATCH', 'users/update-admin', { username: 'ana', is_admin: true }],
        ['DELETE', 'users/delete', { username: 'admin' }],
      ] as const) {
        const refused = await same(method, path, ana, body, 'status')
        expect(refused).toMatchObject({ status: 403, body: { error_code: 'PERMISSION_DENIED' } })
      }
      await same('PATCH', 'users/update-password', ana, { username: 'ana', password: 'ana-password-56' })
      await same('PATCH', 'users/update-password', ana, { username: 'ana', password: 'ana-password-56', current_password: 'wrong-password-1' })
      await same('PATCH', 'users/update-password', ana, { username: 'ana', password: 'ana-password-34', current_password: 'ana-password-34' })
      await same('PATCH', 'users/update-password', ana, { username: 'ana', password: 'ana-password-56', current_password: 'ana-password-34' })
      await same('GET', 'users/current', basic('ana', 'ana-password-34'), undefined, 'status')

      await same('DELETE', 'users/delete', admin, { username: 'admin' })
      await same('DELETE', 'users/delete', admin, { username: 'ana' })
      await same('GET', 'users/get', admin, { username: 'ana' })
      await same('DELETE', 'users/delete', admin, { username: 'ana' })
    })

    it('creates roles, their rows and assignments as MLflow does, and refuses what it refuses', async () => {
      const admin = basic('admin', PASSWORD)
      await same('POST', 'users/create', admin, { username: 'cy', password: 'cy-password-123' })
      const experiment = { theirs: '', ours: '' }
      ;[experiment.theirs, experiment.ours] = await Promise.all(
        [peer.url, mlgate].map(async (base) => String(((await call(base, 'POST', 'experiments/create', admin, { name: 'role-target' })).body as { experiment_id: string }).experiment_id)),
      )
      const none = () => ({})
      await same3('POST', 'roles/create', admin, () => ({ name: 'readers' }))
      await same3('POST', 'roles/create', admin, () => ({ name: '  ', workspace: 'default' }))
      await same3('POST', 'roles/create', admin, () => ({ name: 'readers', workspace: ' ' }))
      const created = await same3('POST', 'roles/create', admin, () => ({ name: 'readers', workspace: 'default', description: 'read the role target' }))
      const role = { theirs: created.theirs.role.id, ours: created.ours.role.id }
      await same3('POST', 'roles/create', admin, () => ({ name: 'readers', workspace: 'default' }), 'status')
      await same3('GET', 'roles/get', admin, (side) => ({ role_id: role[side] }))
      await same3('GET', 'roles/get', admin, () => ({ role_id: 999_999 }), 'status')
      await same3('GET', 'roles/list', admin, none)
      await same3('GET', 'roles/list', admin, () => ({ workspace: 'default' }))
      await same3('GET', 'roles/list', admin, () => ({ workspace: 'elsewhere' }))
      await same3('GET', 'roles/list', admin, () => ({ workspace: ' ' }))
      await same3('PATCH', 'roles/update', admin, (side) => ({ role_id: role[side] }))
      await same3('PATCH', 'roles/update', admin, (side) => ({ role_id: role[side], description: 'changed' }))
      const row = await same3('POST', 'roles/permissions/add', admin, (side) => ({ role_id: role[side], resource_type: 'experiment', resource_pattern: experiment[side], permission: 'READ' }))
      const rowId = { theirs: row.theirs.role_permission.id, ours: row.ours.role_permission.id }
      await same3('POST', 'roles/permissions/add', admin, (side) => ({ role_id: role[side], resource_type: 'experiment', resource_pattern: experiment[side], permission: 'NOT_A_LEVEL' }), 'status')
      await same3('GET', 'roles/permissions/list', admin, (side) => ({ role_id: role[side] }))
      await same3('PATCH', 'roles/permissions/update', admin, (side) => ({ role_permission_id: rowId[side], permission: 'EDIT' }))
      await same3('POST', 'roles/assign', admin, (side) => ({ role_id: role[side], username: 'cy' }))
      await same3('GET', 'users/roles/list', admin, () => ({ username: 'cy' }))
      await same3('GET', 'roles/users/list', admin, (side) => ({ role_id: role[side] }))
      // The role's row is cy's permission now, on both servers.
      const cy = basic('cy', 'cy-password-123')
      await same3('GET', 'users/permissions/get', admin, (side) => ({ username: 'cy', resource_type: 'experiment', resource_id: experiment[side] }), 'status')
      // A user manages no roles: refused on both (MLflow answers its 403 as text).
      for (const [method, path, body] of [
        ['POST', 'roles/create', () => ({ name: 'mine', workspace: 'default' })],
        ['GET', 'roles/list', none],
        ['POST', 'roles/assign', (side: 'theirs' | 'ours') => ({ role_id: role[side], username: 'cy' })],
        ['DELETE', 'roles/delete', (side: 'theirs' | 'ours') => ({ role_id: role[side] })],
      ] as const) {
        await same3(method, path, cy, body, 'status')
      }
      await same3('DELETE', 'roles/unassign', admin, (side) => ({ role_id: role[side], username: 'cy' }))
      await same3('GET', 'users/roles/list', admin, () => ({ username: 'cy' }))
      await same3('DELETE', 'roles/permissions/remove', admin, (side) => ({ role_permission_id: rowId[side] }))
      await same3('GET', 'roles/permissions/list', admin, (side) => ({ role_id: role[side] }))
      await same3('DELETE', 'roles/delete', admin, (side) => ({ role_id: role[side] }))
      await same3('GET', 'roles/get', admin, (side) => ({ role_id: role[side] }), 'status')
      await same3('GET', 'roles/list', admin, none)
    })
  })
})

describeMlflow('the stock MLflow clients against mlgate with auth', () => {
  describeEachEngine('clients', (engine) => {
    let gw: TestGateway
    let url: string

    beforeAll(async () => {
      gw = await startTestGateway({ backends: [nativeBackendConfig(engine)], auth: { admin: { username: 'admin', password: PASSWORD }, passwordHashCost: 12 } })
      url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    })
    afterAll(() => gw.close())

    async function python(script: string, env: Record<string, string>): Promise<unknown> {
      const venv = pythonPeersVenv()
      if (!venv) throw new Error('no Python peers virtualenv')
      const dir = mkdtempSync(join(tmpdir(), 'mlgate-auth-client-'))
      try {
        writeFileSync(join(dir, 'script.py'), script)
        const { stdout } = await promisify(execFile)(join(venv, 'bin', 'python'), [join(dir, 'script.py')], {
          cwd: dir,
          env: { ...process.env, MLFLOW_TRACKING_URI: url, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true', ...env },
          timeout: 120_000,
        })
        return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null')
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }

    const logARun = `
import json, mlflow
from mlflow import MlflowClient
try:
    mlflow.set_experiment("auth-" + __import__("os").environ["WHO"])
    with mlflow.start_run() as run:
        mlflow.log_param("who", __import__("os").environ["WHO"])
        mlflow.log_metric("loss", 0.5)
    got = MlflowClient().get_run(run.info.run_id)
    print(json.dumps({"params": got.data.params, "metrics": got.data.metrics}))
except Exception as error:
    print(json.dumps({"error": str(error)[:300]}))
`

    it('manages users with AuthServiceClient, and logs with a password, an API token as password, and MLFLOW_TRACKING_TOKEN', async () => {
      const managed = await python(
        `
import json
from mlflow.server.auth.client import AuthServiceClient
client = AuthServiceClient(__import__("os").environ["MLFLOW_TRACKING_URI"])
user = client.create_user("scientist", "scientist-pass-1")
client.update_user_admin("scientist", False)
# Creating experiments needs USE on the backend (the default permission is READ); the creator then manages what they create.
client.grant_user_permission("scientist", "backend", "local", "USE")
# A role whose row lets its holders edit every experiment, assigned to the scientist.
role = client.create_role("default", "editors", "edit every experiment")
row = client.add_role_permission(role.id, "experiment", "*", "EDIT")
client.assign_role("scientist", role.id)
client.create_user("doomed", "doomed-password1")
client.delete_user("doomed")
print(json.dumps({
    "created": user.username,
    "admin": client.get_user("scientist").is_admin,
    "roles": [r.name for r in client.list_user_roles("scientist")],
    "listed": [r.name for r in client.list_roles("default") if not r.name.startswith("__user_")],
    "row": [row.resource_type, row.resource_pattern, row.permission],
    "backend": client.get_user_permission("scientist", "backend", "local").permission,
}))
`,
        { MLFLOW_TRACKING_USERNAME: 'admin', MLFLOW_TRACKING_PASSWORD: PASSWORD },
      )
      expect(managed).toEqual({ created: 'scientist', admin: false, roles: expect.arrayContaining(['editors']), listed: ['editors'], row: ['experiment', '*', 'EDIT'], backend: 'USE' })

      const token = async (username: string) => {
        const admin = basic('admin', PASSWORD)
        const answer = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { authorization: admin, 'content-type': 'application/json' },
          body: JSON.stringify({ query: `mutation { createApiToken(input: { username: "${username}", name: "client test" }) { token } }` }),
        })
        return ((await answer.json()) as { data: { createApiToken: { token: string } } }).data.createApiToken.token
      }
      const logged = { params: { who: expect.any(String) }, metrics: { loss: 0.5 } }
      expect(await python(logARun, { WHO: 'password', MLFLOW_TRACKING_USERNAME: 'scientist', MLFLOW_TRACKING_PASSWORD: 'scientist-pass-1' })).toEqual(logged)
      expect(await python(logARun, { WHO: 'basic-token', MLFLOW_TRACKING_USERNAME: 'scientist', MLFLOW_TRACKING_PASSWORD: await token('scientist') })).toEqual(logged)
      expect(await python(logARun, { WHO: 'bearer-token', MLFLOW_TRACKING_TOKEN: await token('scientist') })).toEqual(logged)
      const refused = (await python(logARun, { WHO: 'wrong', MLFLOW_TRACKING_USERNAME: 'scientist', MLFLOW_TRACKING_PASSWORD: 'not-the-password' })) as { error: string }
      expect(refused.error).toContain('You are not authenticated')
      expect(refused.error).not.toContain('not-the-password')
    })
  })
})
