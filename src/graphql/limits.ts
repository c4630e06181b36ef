// GraphqlLimits → yoga plugins that reject an over-limit request before any database access: batch size when
// the request body is parsed, tokens and variable nesting before parsing, depth/aliases/directives
// (graphql-armor) and cost as validation rules. Each rejection is a 400 with a stable `extensions.code` from the error catalogue.
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type ASTVisitor,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { jsonDepthExceeds } from '../config/limits-schema.js';
import type { GraphqlLimits } from '../config/types.js';
import type { ErrorCode } from '../errors/index.js';

type LimitCode = Extract<
  ErrorCode,
  'DEPTH_LIMIT' | 'ALIAS_LIMIT' | 'TOKEN_LIMIT' | 'DIRECTIVE_LIMIT' | 'COST_LIMIT' | 'BATCH_LIMIT'
>;

/** graphql-armor prefixes every message with "Syntax Error: ", which these are not. */
function limitError(code: LimitCode, error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
    // `spec: false`: a 400 also for `Accept: application/json` clients, which yoga answers 200 otherwise.
    extensions: { code, http: { status: 400, spec: false } },
  });
}

/** Armor's rules throw by default (ending validation); reporting instead keeps graphql-js's other errors. */
function reporting(code: LimitCode) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(limitError(code, error)),
    ],
  };
}

export function graphqlLimitRules(limits: GraphqlLimits): ValidationRule[] {
  return (
    [
      // Fragments add no depth of their own: `{ a { ...F } }` is as deep as `{ a { <F's fields> } }`.
      maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ...reporting('DEPTH_LIMIT') }),
      maxAliasesRule({ n: limits.maxAliases, ...reporting('ALIAS_LIMIT') }),
      maxDirectivesRule({ n: limits.maxDirectives, ...reporting('DIRECTIVE_LIMIT') }),
    ] as ValidationRule[]
  ).concat(costRule(limits.maxCost));
}

/**
 * graphql-armor's cost model (1 per scalar, 2 per object, its selection ×1.5 per level, fragments flattened)
 * without its page-size multiplier: armor multiplies by `first`/`last` only, so a connection page of 500
 * tracks with their album (cost ≈ 9,700) would be refused while the same `tracks(limit: 500)` passes. Rows
 * are bounded by the page maximum and rows.maxPerResponse instead; cost bounds the document's shape.
 */
function costRule(maxCost: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragmentCosts = new Map<string, number>();
    const cost = (set: SelectionSetNode, visiting: Set<string>): number => {
      let total = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value === '__schema') continue; // introspection is not data
          total += selection.selectionSet ? 2 + 1.5 * cost(selection.selectionSet, visiting) : 1;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          total += cost(selection.selectionSet, visiting);
        } else {
          const name = selection.name.value;
          const fragment = context.getFragment(name);
          if (!fragment || visiting.has(name)) continue; // a cycle: graphql-js reports it
          let fragmentCost = fragmentCosts.get(name);
          if (fragmentCost === undefined) {
            fragmentCost = cost(fragment.selectionSet, new Set([...visiting, name]));
            fragmentCosts.set(name, fragmentCost);
          }
          total += fragmentCost;
        }
      }
      return total;
    };
    return {
      OperationDefinition(operation) {
        const found = cost(operation.selectionSet, new Set());
        if (found > maxCost) {
          const message = `Query cost limit of ${maxCost} exceeded, found ${Math.ceil(found)}.`;
          context.reportError(limitError('COST_LIMIT', new GraphQLError(message)));
        }
      },
    };
  };
}

export function graphqlLimitPlugins(limits: GraphqlLimits, maxJsonDepth: number): Plugin[] {
  const rules = graphqlLimitRules(limits);
  const plugins: Plugin[] = [
    tokenLimit(limits.maxTokens),
    variablesDepthLimit(maxJsonDepth),
    {
      onValidate({ addValidationRule }) {
        for (const rule of rules) addValidationRule(rule);
        // graphql-js refuses fragment cycles itself (NoFragmentCyclesRule); like the limits, they are a 400.
        return ({ valid, result }) => {
          if (valid) return;
          for (const error of result) {
            if (error.message.startsWith('Cannot spread fragment'))
              (error.extensions as Record<string, unknown>).http = { status: 400, spec: false };
          }
        };
      },
    },
    batchLimit(limits.maxBatch),
  ];
  if (limits.blockSuggestions) plugins.push(blockFieldSuggestionsPlugin() as Plugin);
  return plugins;
}

/**
 * Counts tokens before the document is parsed and stops at the first one over the limit. (graphql-armor's
 * max-tokens fails inside the parser, and yoga marks parse errors as spec errors: 200 for application/json.)
 */
function tokenLimit(max: number): Plugin {
  return {
    onParams({ params, setResult }) {
      if (typeof params.query !== 'string') return; // yoga's own check answers
      const lexer = new Lexer(new Source(params.query));
      let tokens = 0;
      try {
        while (lexer.advance().kind !== TokenKind.EOF) {
          if (++tokens > max) {
            const error = new GraphQLError(`Syntax Error: Token limit of ${max} exceeded.`);
            setResult({ errors: [limitError('TOKEN_LIMIT', error)] });
            return;
          }
        }
      } catch {
        // a lexical error: the parser reports it
      }
    },
  };
}

/** Variables nested very deep would overflow the stack while graphql-js coerces them (a 500, not a 400). */
function variablesDepthLimit(max: number): Plugin {
  return {
    onParams({ params, setResult }) {
      if (!jsonDepthExceeds(params.variables, max)) return;
      const error = new GraphQLError(`Variables are nested deeper than ${max} levels.`);
      setResult({ errors: [limitError('DEPTH_LIMIT', error)] });
    },
  };
}

/**
 * Runs before yoga's own batching check (which answers 413): an over-long batch is a 400 like every other
 * GraphQL limit. Yoga's `batching.limit` is set to the same number.
 */
function batchLimit(max: number): Plugin {
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (Array.isArray(requestParserResult) && requestParserResult.length > max) {
            throw createGraphQLError(
              `Batch limit of ${max} operations exceeded, found ${requestParserResult.length}.`,
              { extensions: { code: 'BATCH_LIMIT' satisfies LimitCode, http: { status: 400, spec: false } } },
            );
          }
        },
      };
    },
  };
}
