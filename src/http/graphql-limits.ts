import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases'
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens'
import type { Plugin } from 'graphql-yoga'
import { type ASTVisitor, GraphQLError, type ValidationContext } from 'graphql'
import type { Limits } from '../config.js'
import { findStringProblem, stringProblem } from '../input-strings.js'

/**
 * The limits every GraphQL operation meets before it runs, over HTTP, SSE
 * and graphql-ws alike (these are envelop plugins, and graphql-ws runs
 * through yoga's envelope):
 * - tokens, counted while parsing (GraphQL Armor), so a huge document costs
 *   no more than its first `queryTokens` tokens;
 * - aliases (GraphQL Armor), which would otherwise repeat a costly field
 *   under thousands of names;
 * - strings, in the document and in the variables: at most `stringLength`
 *   characters and no NUL (PostgreSQL cannot store U+0000, and a NUL that
 *   reached it cost a process before).
 * Depth, breadth and cost (a list costs its `first`) are the Pothos
 * complexity plugin's, in `resolvers/builder.ts`, because only the schema
 * knows which argument sizes a list.
 */
export function graphqlLimitPlugins(limits: Limits): Plugin[] {
  return [
    maxTokensPlugin({
      n: limits.queryTokens,
      propagateOnRejection: false,
      onReject: [
        () => {
          throw tooComplex(`the document has more than ${limits.queryTokens} tokens (limits.queryTokens)`)
        },
      ],
    }),
    maxAliasesPlugin({
      n: limits.queryAliases,
      propagateOnRejection: false,
      onReject: [(context) => context?.reportError(tooComplex(`the operation uses more than ${limits.queryAliases} aliases (limits.queryAliases)`))],
    }),
    inputStringsPlugin(limits.stringLength),
  ]
}

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX' } })
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } })
}

function inputStringsPlugin(maxLength: number): Plugin {
  const literalStrings = (context: ValidationContext): ASTVisitor => ({
    StringValue(node) {
      const problem = stringProblem(node.value, maxLength)
      if (problem) context.reportError(new GraphQLError(`A string in the document ${problem}`, { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } }))
    },
  })
  const checkVariables = (variables: unknown) => {
    const problem = findStringProblem(variables ?? {}, maxLength)
    if (problem) throw badInput(`Variable ${problem}`)
  }
  return {
    onValidate: ({ addValidationRule }) => addValidationRule(literalStrings),
    onExecute: ({ args }) => checkVariables(args.variableValues),
    onSubscribe: ({ args }) => checkVariables(args.variableValues),
  }
}
