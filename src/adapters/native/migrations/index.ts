import type { Migration, MigrationProvider } from 'kysely'
import * as tracking from './2026-11-22T0000-tracking.js'
import * as metricSequence from './2026-11-22T0100-metric-sequence.js'
import * as modelRegistry from './2026-11-23T0000-model-registry.js'
import * as datasets from './2026-11-23T0100-datasets.js'
import * as loggedModels from './2026-11-23T0200-logged-models.js'
import * as runUser from './2026-11-30T0000-run-user.js'
import * as inputTags from './2026-11-30T0100-input-tags.js'
import * as modelMetricDatasets from './2026-11-30T0200-model-metric-datasets.js'
import * as uniqueMetricPoints from './2026-11-30T0300-unique-metric-points.js'
import * as identities from './2026-11-30T0400-identities.js'
import * as roles from './2026-11-30T0500-roles.js'
import * as auditEvents from './2026-11-30T0600-audit-events.js'
import * as automation from './2026-12-01T0000-automation.js'
import * as rollupLadder from './2026-12-01T0100-rollup-ladder.js'

/**
 * Migrations are imported statically (not read from disk) so a bundled or
 * installed gateway carries them. Names sort by timestamp; append only.
 */
const migrations: Record<string, Migration> = {
  '2026-11-22T0000-tracking': tracking,
  '2026-11-22T0100-metric-sequence': metricSequence,
  '2026-11-23T0000-model-registry': modelRegistry,
  '2026-11-23T0100-datasets': datasets,
  '2026-11-23T0200-logged-models': loggedModels,
  '2026-11-30T0000-run-user': runUser,
  '2026-11-30T0100-input-tags': inputTags,
  '2026-11-30T0200-model-metric-datasets': modelMetricDatasets,
  '2026-11-30T0300-unique-metric-points': uniqueMetricPoints,
  '2026-11-30T0400-identities': identities,
  '2026-11-30T0500-roles': roles,
  '2026-11-30T0600-audit-events': auditEvents,
  '2026-12-01T0000-automation': automation,
  '2026-12-01T0100-rollup-ladder': rollupLadder,
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
}
