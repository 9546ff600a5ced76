import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser'
import { describe, expect, it } from 'vitest'

/** The layer rules of .dependency-cruiser.cjs, applied to src/ (and shown to bite on a tree that breaks them). */

const repo = path.resolve(import.meta.dirname, '../..')
const rules = createRequire(import.meta.url)(path.join(repo, '.dependency-cruiser.cjs')) as { forbidden: NonNullable<ICruiseOptions['ruleSet']>['forbidden'] }

async function violationsIn(baseDir: string): Promise<string[]> {
  const result = await cruise(['src'], {
    baseDir,
    ruleSet: { forbidden: rules.forbidden },
    validate: true,
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  })
  if (typeof result.output === 'string') throw new Error('dependency-cruiser answered text, not a report')
  return result.output.summary.violations.map((violation: IViolation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`)
}

describe('layers', () => {
  it('src/ keeps every layer rule', async () => {
    expect(await violationsIn(repo)).toEqual([])
  })

  it('the rules catch a contract file importing from above it, and callers importing an adapter', async () => {
    const tree = await mkdtemp(path.join(tmpdir(), 'mlgate-layers-'))
    try {
      const files: Record<string, string> = {
        'src/federation/merge.ts': 'export const merge = 1\n',
        'src/adapters/native/index.ts': 'export const native = 1\n',
        'src/contract/backend.ts': "import { merge } from '../federation/merge.js'\nexport const contract = merge\n",
        'src/resolvers/run.ts': "import { native } from '../adapters/native/index.js'\nexport const run = native\n",
        'src/mlflow-api/runs.ts': "import { native } from '../adapters/native/index.js'\nexport const runs = native\n",
        'src/adapters/mlflow/index.ts': "import { merge } from '../../federation/merge.js'\nexport const mlflow = merge\n",
      }
      for (const [file, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(tree, file)), { recursive: true })
        await writeFile(path.join(tree, file), text)
      }
      expect((await violationsIn(tree)).sort()).toEqual([
        'adapters-know-only-the-contract: src/adapters/mlflow/index.ts → src/federation/merge.ts',
        'contract-at-the-bottom: src/contract/backend.ts → src/federation/merge.ts',
        'one-door: src/mlflow-api/runs.ts → src/adapters/native/index.ts',
        'one-door: src/resolvers/run.ts → src/adapters/native/index.ts',
      ])
    } finally {
      await rm(tree, { recursive: true, force: true })
    }
  })
})
