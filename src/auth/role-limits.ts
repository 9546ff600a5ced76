import type { IdentityStore } from '../contract/identity-store.js'
import type { Identity } from './identity.js'
import { ReadCache, identityKey } from './read-cache.js'

/** What one caller may spend: GraphQL cost per minute, and live subscriptions held at once. */
export interface CallerAllowance {
  queryCostPerMinute: number
  subscriptions: number
}

/**
 * Limits per role (`auth.roleLimits`): a caller holding a configured role
 * (assigned in the store, or mapped from the identity provider's groups)
 * gets that role's allowance, the most generous of its roles' for each
 * limit; everyone else, the anonymous included, the general limits
 * (limits.queryCostPerClientPerMinute, subscriptionsPerClient).
 */
export class RoleLimits {
  private readonly cache: ReadCache<CallerAllowance>

  constructor(
    private readonly store: IdentityStore,
    private readonly byRole: Readonly<Record<string, Partial<CallerAllowance>>>,
    private readonly general: CallerAllowance,
    /** auth.identityCacheMs: a user's roles are read once in this long. */
    cacheMs: number,
  ) {
    this.cache = new ReadCache(cacheMs)
  }

  async of(identity: Identity | null): Promise<CallerAllowance> {
    // Without limits per role there is nothing to read.
    if (!identity || Object.keys(this.byRole).length === 0) return this.general
    return this.cache.read(identityKey(identity), async () => this.allowanceOf(await this.roleNames(identity)))
  }

  /** Roles were assigned or removed: read them again. */
  forget(): void {
    this.cache.clear()
  }

  private async roleNames(identity: Identity): Promise<string[]> {
    const user = await this.store.user(identity.username)
    const assigned = user ? (await this.store.userRoles(user.id)).map((role) => role.name) : []
    return [...identity.roles, ...assigned]
  }

  private allowanceOf(roles: readonly string[]): CallerAllowance {
    const configured = roles.filter((role) => Object.hasOwn(this.byRole, role)).map((role) => this.byRole[role])
    if (configured.length === 0) return this.general
    const most = (limit: keyof CallerAllowance) => {
      const values = configured.flatMap((allowance) => (allowance[limit] === undefined ? [] : [allowance[limit]]))
      return values.length === 0 ? this.general[limit] : Math.max(...values)
    }
    return { queryCostPerMinute: most('queryCostPerMinute'), subscriptions: most('subscriptions') }
  }
}
