import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { pythonPeersVenv } from '../peers/mlflow.js'

/** The REST answers `test/mlflow-api/scientist.py` records for the differential test. */
export interface ScientistOutput {
  experiment_id: string
  parent: string
  children: string[]
  answers: Record<string, unknown>
}

/**
 * Runs the data scientist's script with the stock `mlflow` client against a
 * tracking server, and returns what it recorded. `env` adds variables (MLFLOW_RUN_ID).
 */
export async function runScientist(trackingUri: string, names: { experiment: string; model: string }, env: Record<string, string> = {}): Promise<ScientistOutput> {
  const venv = pythonPeersVenv()
  if (!venv) throw new Error('python3 is needed to run the MLflow client')
  const dir = mkdtempSync(join(tmpdir(), 'mlgate-scientist-'))
  const output = join(dir, 'answers.json')
  try {
    await promisify(execFile)(join(venv, 'bin', 'python'), [resolve('test/mlflow-api/scientist.py'), names.experiment, names.model, output], {
      cwd: dir,
      env: { ...process.env, MLFLOW_TRACKING_URI: trackingUri, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true', ...env },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`scientist.py failed against ${trackingUri}: ${error.message}\n${error.stderr?.slice(-3000) ?? ''}`)
    })
    return JSON.parse(readFileSync(output, 'utf8')) as ScientistOutput
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const TIME_FIELDS = new Set(['timestamp', 'start_time', 'end_time', 'creation_time', 'last_update_time', 'creation_timestamp', 'last_updated_timestamp'])

/**
 * What may differ between two servers answering the same script: ids (runs,
 * logged models, experiments), times, and error messages' wording. Ids are
 * numbered in order of first appearance; lists of key/value entries are
 * sorted by key (neither server promises an order). The rest must match.
 */
export function normalizeAnswers(value: unknown): unknown {
  const ids = new Map<string, string>()
  const idOf = (id: string) => {
    if (!ids.has(id)) ids.set(id, `<id${ids.size}>`)
    return ids.get(id)!
  }
  const walk = (node: unknown, key: string | null): unknown => {
    if (Array.isArray(node)) {
      const items = node.map((item) => walk(item, null))
      const keyed = items.every((item) => typeof item === 'object' && item !== null && 'key' in item)
      return keyed ? items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : items
    }
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([name, child]) => [name, walk(child, name)]))
    }
    if (typeof node === 'number' && key !== null && TIME_FIELDS.has(key)) return '<time>'
    if (typeof node === 'string') {
      if (key === 'message') return '<message>'
      if (key === 'experiment_id') return '<experiment>'
      return node
        .replace(/mlflow-artifacts:\/\d+/g, 'mlflow-artifacts:/<experiment>')
        .replace(/\b(m-)?[0-9a-f]{32}\b/g, (id) => idOf(id))
        .replace(/^[0-9a-f]{40}$/, '<commit>')
    }
    return node
  }
  return walk(value, null)
}
