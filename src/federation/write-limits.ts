import type { DatasetInput, KeyValue, MetricWrite } from '../domain.js'
import type { Limits } from '../config.js'
import { badInput } from '../errors.js'

/**
 * MLflow's limits on one logging call, checked before any backend is asked,
 * so every backend refuses the same batches the same way and a refused batch
 * writes nothing anywhere.
 */
export const WRITE_LIMITS = {
  metricsPerCall: 1000,
  paramsPerCall: 100,
  tagsPerCall: 100,
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
} as const

// MLflow's rule for metric, param and tag names: letters, digits, and _ - . space /.
const KEY_PATTERN = /^[\w\-. /]+$/

export function checkMetrics(metrics: MetricWrite[]): void {
  checkCount('metrics', metrics.length, WRITE_LIMITS.metricsPerCall)
  // A batch repeats a few keys a thousand times: each is checked once (by the first entry that has it).
  const checkedKeys = new Set<string>()
  metrics.forEach((metric, index) => {
    if (!checkedKeys.has(metric.key)) {
      checkKey(`metrics[${index}]`, metric.key)
      checkedKeys.add(metric.key)
    }
    if (!Number.isSafeInteger(metric.step)) throw badInput(`metrics[${index}] (key "${metric.key}"): step must be an integer`)
    if (Number.isNaN(metric.timestamp.getTime())) throw badInput(`metrics[${index}] (key "${metric.key}"): timestamp is not a valid time`)
  })
}

export function checkParams(params: KeyValue[]): void {
  checkCount('params', params.length, WRITE_LIMITS.paramsPerCall)
  const seen = new Set<string>()
  params.forEach((param, index) => {
    checkKey(`params[${index}]`, param.key)
    checkValue(`params[${index}]`, param, WRITE_LIMITS.paramValueLength)
    if (seen.has(param.key)) throw badInput(`params[${index}]: key "${param.key}" appears more than once in this call`)
    seen.add(param.key)
  })
}

/** Checks tags and returns them with one entry per key: the last value given wins, as on MLflow's server. */
export function checkTags(tags: KeyValue[]): KeyValue[] {
  checkCount('tags', tags.length, WRITE_LIMITS.tagsPerCall)
  tags.forEach((tag, index) => {
    checkKey(`tags[${index}]`, tag.key)
    checkValue(`tags[${index}]`, tag, WRITE_LIMITS.tagValueLength)
  })
  const last = new Map(tags.map((tag) => [tag.key, tag]))
  return last.size === tags.length ? tags : [...last.values()]
}

function checkCount(what: string, count: number, limit: number): void {
  if (count > limit) throw badInput(`${what}: ${count} entries in one call; the limit is ${limit}`)
}

function checkKey(entry: string, key: string): void {
  if (key.length === 0) throw badInput(`${entry}: key must not be empty`)
  if (key.length > WRITE_LIMITS.keyLength) {
    throw badInput(`${entry}: key "${key.slice(0, 40)}..." is ${key.length} characters; the limit is ${WRITE_LIMITS.keyLength}`)
  }
  if (!KEY_PATTERN.test(key) || key.split('/').includes('..')) {
    throw badInput(`${entry}: key "${key}" may contain only letters, digits, underscores, dashes, periods, spaces and slashes`)
  }
}

function checkValue(entry: string, { key, value }: KeyValue, limit: number): void {
  if (value.length > limit) {
    throw badInput(`${entry} (key "${key}"): value is ${value.length} characters; the limit is ${limit}`)
  }
}

/** MLflow's alias rules, for every backend: word characters and "-", at most 255, and not a name MLflow reserves. */
export function checkAlias(alias: string): void {
  if (!/^[\p{L}\p{N}_-]+$/u.test(alias)) throw badInput(`alias "${alias}" may contain only letters, digits, "_" and "-"`)
  if (alias.length > 255) throw badInput(`alias is ${alias.length} characters long; the limit is 255`)
  if (alias.toLowerCase() === 'latest') throw badInput('alias "latest" is reserved')
  if (/^v\d+$/i.test(alias)) throw badInput(`alias "${alias}" is reserved: v<number> names a version`)
}

export function checkModelName(name: string): string {
  const trimmed = name.trim()
  if (trimmed.length === 0) throw badInput('registered model name must not be empty')
  if (trimmed.length > 256) throw badInput(`registered model name is ${trimmed.length} characters long; the limit is 256`)
  // MLflow's rule; it also keeps version ids (`<model>/<version>`) unambiguous.
  if (/[/:]/.test(trimmed)) throw badInput(`registered model name "${trimmed}" must not contain "/" or ":"`)
  return trimmed
}

/** MLflow's log-inputs limits: names and digests present, at most 500 and 36 characters. */
export function checkDatasetInputs(inputs: DatasetInput[]): void {
  checkCount('datasets', inputs.length, 1000)
  inputs.forEach((input, index) => {
    if (input.dataset.name.trim().length === 0 || input.dataset.name.length > 500) throw badInput(`datasets[${index}]: name must be 1-500 characters`)
    if (input.dataset.digest.trim().length === 0 || input.dataset.digest.length > 36) throw badInput(`datasets[${index}]: digest must be 1-36 characters`)
  })
}

/** An experiment name, trimmed: present and within limits.experimentNameLength (MLflow's SQL store holds 256). */
export function checkExperimentName(name: string, limits: Limits): string {
  const trimmed = name.trim()
  if (trimmed.length === 0) throw badInput('experiment name must not be empty')
  if (trimmed.length > limits.experimentNameLength) {
    throw badInput(`experiment name is ${trimmed.length} characters long; the limit is ${limits.experimentNameLength} (limits.experimentNameLength)`)
  }
  return trimmed
}

/** A run name within limits.runNameLength (MLflow's SQL store holds 250). */
export function checkRunName(name: string | null | undefined, limits: Limits): void {
  if (name && name.length > limits.runNameLength) {
    throw badInput(`run name is ${name.length} characters long; the limit is ${limits.runNameLength} (limits.runNameLength)`)
  }
}
