/**
 * `npm run bench`: every benchmark in sequence (each also runs alone as
 * `npm run bench:<name>`; each starts the peers it needs, as the tests do),
 * then bench/results/summary.md from their result files. A benchmark that
 * fails is reported and the others still run; the exit code says so.
 */
import { spawnSync } from 'node:child_process'
import { BENCHMARKS, writeSummary } from './summary.js'

const failed: string[] = []
for (const name of BENCHMARKS) {
  console.log(`\n=== bench:${name}`)
  const started = performance.now()
  const run = spawnSync('npm', ['run', '-s', `bench:${name}`], { stdio: 'inherit' })
  console.log(`=== bench:${name}: ${run.status === 0 ? 'done' : 'FAILED'} in ${Math.round((performance.now() - started) / 1000)} s`)
  if (run.status !== 0) failed.push(name)
}
console.log(`\nwrote ${writeSummary()}`)
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`)
  process.exitCode = 1
}
