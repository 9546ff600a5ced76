import type { CodegenConfig } from '@graphql-codegen/cli'
import { printSchema } from 'graphql'
import { schema } from './src/resolvers/index.js'

/**
 * `npm run codegen`: prints the SDL of the Pothos schema to
 * schema/schema.graphql (committed, so every API change shows in review) and
 * types the operations in schema/operations/ for the tests and clients.
 */
const config: CodegenConfig = {
  schema: printSchema(schema),
  documents: ['schema/operations/**/*.graphql'],
  generates: {
    'schema/schema.graphql': {
      plugins: ['schema-ast'],
      config: { includeDirectives: false, commentDescriptions: false },
    },
    // The dashboard's typed documents: strings (TypedDocumentString), so the
    // page posts them as they are and bundles no GraphQL parser.
    'web/src/generated/': {
      documents: ['schema/operations/dashboard/**/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { documentMode: 'string', scalars: { DateTime: 'string', MetricValue: 'number | "NaN" | "Infinity" | "-Infinity"' }, useTypeImports: true, enumsAsTypes: true },
    },
    'test/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { scalars: { DateTime: 'string', MetricValue: 'number | "NaN" | "Infinity" | "-Infinity"' }, useTypeImports: true },
    },
  },
  importExtension: '.js',
}

export default config
