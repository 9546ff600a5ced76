import { execFile } from 'node:child_process'
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { pythonPeersVenv } from '../peers/mlflow.js'

export interface ReceivedDelivery {
  deliveryId: string
  timestamp: string
  signature: string | null
  body: string
  json: { entity: string; action: string; timestamp: string; data: Record<string, unknown> }
}

/** What the receiver answers next: a status and headers; 'drop' cuts the connection. */
export type Answer = { status: number; headers?: Record<string, string> } | 'drop'

/**
 * A webhook receiver on loopback: records every POST (what was answered 2xx
 * counts as received), answers from a script of answers, then 200.
 */
export async function startWebhookReceiver(port = 0) {
  const received: ReceivedDelivery[] = []
  const attempts: { deliveryId: string; at: number; status: number | 'drop' }[] = []
  const script: Answer[] = []
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const deliveryId = String(request.headers['x-mlflow-delivery-id'] ?? '')
      const answer = script.shift() ?? { status: 200 }
      attempts.push({ deliveryId, at: Date.now(), status: answer === 'drop' ? 'drop' : answer.status })
      if (answer === 'drop') return request.socket.destroy()
      if (answer.status < 300) {
        received.push({
          deliveryId,
          timestamp: String(request.headers['x-mlflow-timestamp'] ?? ''),
          signature: (request.headers['x-mlflow-signature'] as string | undefined) ?? null,
          body,
          json: JSON.parse(body) as ReceivedDelivery['json'],
        })
      }
      response.writeHead(answer.status, answer.headers ?? {}).end(answer.status < 300 ? 'ok' : 'not now')
    })
  })
  await new Promise<void>((ready) => server.listen(port, '127.0.0.1', () => ready()))
  const boundPort = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${boundPort}/hook`,
    port: boundPort,
    received,
    attempts,
    /** The next answers, in order. */
    answerNext: (...answers: Answer[]) => script.push(...answers),
    ofEvent: (entity: string, action: string) => received.filter((delivery) => delivery.json.entity === entity && delivery.json.action === action),
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>

/** Whether MLflow's own signing code (mlflow.webhooks.delivery, run from the peers' virtualenv) accepts each delivery's signature. */
export async function mlflowAcceptsSignatures(secret: string, deliveries: readonly ReceivedDelivery[]): Promise<boolean[]> {
  const venv = pythonPeersVenv()
  if (!venv) throw new Error('python3 and the peers virtualenv are needed to check signatures with MLflow')
  const input = JSON.stringify(deliveries.map((delivery) => ({ secret, delivery_id: delivery.deliveryId, timestamp: delivery.timestamp, body: delivery.body, signature: delivery.signature })))
  const child = promisify(execFile)(join(venv), [resolve('test/automation/verify-signatures.py')], { timeout: 120_000 })
  child.child.stdin?.end(input)
  const { stdout } = await child
  return JSON.parse(stdout) as boolean[]
}

const join = (venv: string) => resolve(venv, 'bin', 'python')
