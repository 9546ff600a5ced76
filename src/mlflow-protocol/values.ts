import { z } from 'zod'
import type { DatasetInput, ModelStage } from '../domain.js'

/**
 * MLflow's JSON vocabulary, shared by the two sides of mlgate that speak it:
 * the MLflow adapter (a client reading a server's answers) and the MLflow
 * API (a server reading clients' requests). Protobuf JSON sends int64s as
 * numbers or strings of digits, doubles as numbers or "NaN" / "Infinity" /
 * "-Infinity"; query strings send everything as strings.
 */

export const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number).pipe(z.number().int())])

export const double = z.union([
  z.number(),
  z
    .string()
    .regex(/^(NaN|-?Infinity|[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)$/i)
    .transform((text) => (/^nan$/i.test(text) ? Number.NaN : /^-infinity$/i.test(text) ? -Infinity : /^infinity$/i.test(text) ? Infinity : Number(text))),
])

export const keyValue = z.object({ key: z.string(), value: z.string().default('') })

/** A double as MLflow writes it: non-finite values as strings. */
export function wireDouble(value: number): number | 'NaN' | 'Infinity' | '-Infinity' {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return 'Infinity'
  if (value === -Infinity) return '-Infinity'
  return value
}

/** MLflow's stage names. */
export const WIRE_STAGES: Record<ModelStage, string> = { NONE: 'None', STAGING: 'Staging', PRODUCTION: 'Production', ARCHIVED: 'Archived' }

/** A stage in MLflow's spelling (title case; older servers and clients use any case); null if it names none. */
export function stageFromWire(text: string): ModelStage | null {
  const found = Object.entries(WIRE_STAGES).find(([, wire]) => wire.toLowerCase() === text.toLowerCase())
  return found ? (found[0] as ModelStage) : null
}

/** One of a run's dataset inputs (log-inputs, and `inputs.dataset_inputs` of a run). */
export const datasetInputSchema = z.object({
  tags: z.array(keyValue).default([]),
  dataset: z.object({
    name: z.string(),
    digest: z.string(),
    source_type: z.string().optional(),
    source: z.string().optional(),
    schema: z.string().optional(),
    profile: z.string().optional(),
  }),
})

export type WireDatasetInput = z.input<typeof datasetInputSchema>

export function datasetInputFromWire(wire: z.output<typeof datasetInputSchema>): DatasetInput {
  return {
    dataset: {
      name: wire.dataset.name,
      digest: wire.dataset.digest,
      // MLflow sends "" for what is not set.
      sourceType: wire.dataset.source_type || null,
      source: wire.dataset.source || null,
      schema: wire.dataset.schema || null,
      profile: wire.dataset.profile || null,
    },
    // The last value of a key wins, as MLflow's store keeps one per key.
    tags: Object.fromEntries(wire.tags.map((tag) => [tag.key, tag.value])),
  }
}

/** Unset fields and an empty tag list are left out, as protobuf JSON does. */
export function datasetInputToWire(input: DatasetInput): WireDatasetInput {
  const { dataset } = input
  return {
    // MLflow answers an input's tags sorted by key.
    ...(Object.keys(input.tags).length > 0 && {
      tags: Object.keys(input.tags)
        .sort()
        .map((key) => ({ key, value: input.tags[key] })),
    }),
    dataset: {
      name: dataset.name,
      digest: dataset.digest,
      ...(dataset.sourceType !== null && { source_type: dataset.sourceType }),
      ...(dataset.source !== null && { source: dataset.source }),
      ...(dataset.schema !== null && { schema: dataset.schema }),
      ...(dataset.profile !== null && { profile: dataset.profile }),
    },
  }
}
