import type { ModelVersion } from '../domain.js'
import { GatewayError } from '../errors.js'
import type { ModelRegistryReader, ModelVersionEvent, ModelVersionEventKind, ModelVersionEvents, Page } from '../contract/backend.js'
import { joinPoller } from './shared-pollers.js'
import { logUnexpected } from '../log.js'

/** A watch lists at most this many versions per poll. */
const MAX_VERSIONS = 10_000

/** What a poll compares, per version. */
interface VersionState {
  stage: string | null
  approval: string | null
  status: string | null
  aliases: string
}

/**
 * Model-version events for any registry, by polling: one shared poller per
 * watched model (or per "every model") however many subscribers, which
 * lists the versions every `intervalMs` and reports what changed since the
 * last poll: new versions, stages, approvals, statuses, aliases. The first
 * poll reads the starting state and reports nothing. A failed poll is
 * skipped; the next one compares against the last state it saw.
 */
export class PolledModelVersionEvents implements ModelVersionEvents {
  private readonly pollers = new Map<string, Poller>()

  constructor(
    private readonly reader: ModelRegistryReader,
    private readonly intervalMs: number,
  ) {}

  watch(modelId: string | null, listener: (event: ModelVersionEvent) => void): () => void {
    return joinPoller(this.pollers, modelId ?? '\u0000every model', () => new Poller(this.reader, modelId, this.intervalMs), listener)
  }

  watcherCount(): number {
    return [...this.pollers.values()].reduce((sum, poller) => sum + (poller.started ? poller.listeners.size : 0), 0)
  }

  close(): void {
    for (const poller of this.pollers.values()) poller.stop()
    this.pollers.clear()
  }
}

class Poller {
  readonly listeners = new Set<(event: ModelVersionEvent) => void>()
  started = false
  private state: Map<string, VersionState> | null = null
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    private readonly reader: ModelRegistryReader,
    private readonly modelId: string | null,
    private readonly intervalMs: number,
  ) {
    void this.poll()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
  }

  private async poll(): Promise<void> {
    try {
      const next = await this.read()
      if (this.state) for (const event of changes(this.state, next)) for (const listener of this.listeners) listener(event)
      this.state = next
      this.started = true
    } catch (error) {
      // The backend failed this time (its circuit and /ready say so); compare against the last good state next time.
      if (!(error instanceof GatewayError)) logUnexpected('polling a model registry failed', error)
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), this.intervalMs)
  }

  private async read(): Promise<Map<string, VersionState>> {
    const versions: ModelVersion[] = []
    let token: string | null = null
    do {
      const page: Page<ModelVersion> = await this.reader.listModelVersions(
        { modelIds: this.modelId === null ? null : [this.modelId], filter: { all: [] } },
        { first: 1000, token },
      )
      versions.push(...page.items)
      token = page.nextToken
    } while (token && versions.length < MAX_VERSIONS)
    const aliases = await this.modelAliases(versions.filter((version) => version.aliases === null))
    return new Map(
      versions.map((version) => [
        version.nativeId,
        {
          stage: version.stage,
          approval: version.approvalStatus,
          status: version.status,
          aliases: [...(version.aliases ?? aliases.get(version.nativeId) ?? [])].sort().join('\u0000'),
        },
      ]),
    )
  }

  /** Aliases of versions whose list answer left them out, from their models (one batch lookup). */
  private async modelAliases(versions: ModelVersion[]): Promise<Map<string, string[]>> {
    const byVersion = new Map<string, string[]>()
    if (versions.length === 0) return byVersion
    const models = await this.reader.getRegisteredModels([...new Set(versions.map((version) => version.modelNativeId))])
    for (const model of models) {
      for (const alias of model?.aliases ?? []) byVersion.set(alias.versionNativeId, [...(byVersion.get(alias.versionNativeId) ?? []), alias.alias])
    }
    return byVersion
  }
}

function changes(before: Map<string, VersionState>, after: Map<string, VersionState>): ModelVersionEvent[] {
  const events: ModelVersionEvent[] = []
  const report = (kind: ModelVersionEventKind, versionId: string) => events.push({ kind, versionId })
  for (const [versionId, now] of after) {
    const then = before.get(versionId)
    if (!then) {
      report('CREATED', versionId)
      continue
    }
    if (then.stage !== now.stage) report('STAGE_CHANGED', versionId)
    if (then.approval !== now.approval) report('APPROVAL_CHANGED', versionId)
    if (then.status !== now.status) report('STATUS_CHANGED', versionId)
    if (then.aliases !== now.aliases) report('ALIAS_CHANGED', versionId)
  }
  return events
}
