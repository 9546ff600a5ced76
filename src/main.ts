#!/usr/bin/env node
/**
 * The `mlgate` entry point. graphql-js runs extra development-only checks
 * unless NODE_ENV is "production" when it is first imported, so the default
 * is set here, before anything imports it; the CLI itself is in `cli.ts`.
 * (Setting it in the npm script instead would put a shell between npm and
 * the gateway, and that shell does not pass SIGTERM on.)
 */
process.env.NODE_ENV ??= 'production'
await import('./cli.js')
