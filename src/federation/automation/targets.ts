import { lookup } from 'node:dns/promises'
import ipaddr from 'ipaddr.js'
import { badInput } from '../../errors.js'

const MAX_URL_LENGTH = 2048

/**
 * Where webhooks may send: http(s) URLs whose host resolves only to public
 * addresses, unless `webhooks.allowedTargets` names the host, the address
 * or a CIDR range holding it (loopback receivers in tests, a private
 * automation service). Checked when a webhook is saved and again before
 * each delivery, since what a name resolves to can change.
 */
export class TargetPolicy {
  private readonly names = new Set<string>()
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = []

  constructor(allowedTargets: readonly string[]) {
    for (const entry of allowedTargets) {
      if (entry.includes('/')) this.ranges.push(normalizedRange(ipaddr.parseCIDR(entry)))
      else if (ipaddr.isValid(entry)) this.ranges.push([ipaddr.process(entry), ipaddr.process(entry).kind() === 'ipv4' ? 32 : 128])
      else this.names.add(entry.toLowerCase())
    }
  }

  /** The URL, checked; BAD_USER_INPUT naming what is wrong otherwise. */
  async check(url: string): Promise<URL> {
    const parsed = parseTargetUrl(url)
    const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase()
    if (this.names.has(host)) return parsed
    const addresses = ipaddr.isValid(host) ? [host] : await resolve(host)
    for (const address of addresses) {
      const ip = ipaddr.process(address)
      if (ip.range() === 'unicast' || this.allows(ip)) continue
      throw badInput(`webhook target ${host} is a ${ip.range()} address (${ip.toString()}); add it to webhooks.allowedTargets in the config to allow it`)
    }
    return parsed
  }

  private allows(ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.ranges.some(([network, bits]) => network.kind() === ip.kind() && ip.match(network, bits))
  }
}

/** An http(s) URL with a host and no credentials in it. */
export function parseTargetUrl(url: string): URL {
  if (url.length > MAX_URL_LENGTH) throw badInput(`webhook URL is longer than ${MAX_URL_LENGTH} characters`)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw badInput('webhook URL is not a valid URL')
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw badInput(`Invalid webhook URL scheme: '${parsed.protocol.slice(0, -1)}'. Allowed schemes are: http, https.`)
  if (!parsed.hostname) throw badInput('webhook URL must include a hostname')
  if (parsed.username || parsed.password) throw badInput('webhook URL must not carry credentials: use the webhook secret to sign deliveries')
  return parsed
}

async function resolve(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address)
  } catch {
    throw badInput(`webhook target ${host} does not resolve`)
  }
}

function normalizedRange([network, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (network.kind() === 'ipv6' && (network as ipaddr.IPv6).isIPv4MappedAddress()) return [(network as ipaddr.IPv6).toIPv4Address(), bits - 96]
  return [network, bits]
}
