// Event scripts around one operation, for REST and GraphQL alike: pre_process scripts (which may change the
// request or stop it), the operation, post_process scripts (which may change the answer). For a write that is
// one transaction, all of it runs inside that transaction: a script that fails rolls the write back, and the
// scripts' own API calls on that service see and join the uncommitted change.
import type { Principal } from '../auth/types.js';
import type { ExecContext } from '../executor/context.js';
import type { DataSource } from '../executor/data-source.js';
import { operationName } from './events.js';
import type { ScriptHost, LoadedEventScript } from './host.js';
import { createPlatform, rolePrincipal, type InternalCall } from './platform.js';
import { runWithLimit } from './run-script.js';
import type { EventVerb, ScriptEvent } from './types.js';

/** What the server hands each request: the loaded scripts and how scripts call the API in-process. */
export interface ScriptScope {
  host: ScriptHost;
  /** Internal API calls made by scripts of this request, with sources bound to `bound` transactions. */
  callWith(bound: ReadonlyMap<string, DataSource>): InternalCall;
  /** Sources already bound to an open transaction (a script's call inside another operation's scripts). */
  bound: ReadonlyMap<string, DataSource>;
}

export interface Operation {
  api: 'rest' | 'graphql';
  service: string;
  /** Path after the service without a record id: `['_table', 'Album']`. */
  resource: string[];
  table: string | null;
  id: string | null;
  verb: EventVerb;
  request: ScriptEvent['request'];
}

export interface OperationResult {
  status: number;
  content: unknown;
}

/** The work itself, given the (possibly changed) request and the executor state to run on. */
type Work<T extends OperationResult> = (request: ScriptEvent['request'], exec: ExecContext) => Promise<T>;

/** Whether any script listens to this operation (callers skip building an event when none does). */
export function hasScripts(
  scope: ScriptScope | undefined,
  op: Pick<Operation, 'service' | 'resource' | 'verb'>,
): boolean {
  if (!scope) return false;
  const name = operationName(op.service, op.resource, op.verb);
  return (
    scope.host.scriptsFor(name, 'pre_process').length > 0 ||
    scope.host.scriptsFor(name, 'post_process').length > 0
  );
}

export async function aroundOperation<T extends OperationResult>(
  scope: ScriptScope | undefined,
  op: Operation,
  exec: ExecContext,
  options: {
    /** Run the scripts and the work in one transaction on the operation's service. */
    transactional: boolean;
    /** False where the answer has no records to show a script (GraphQL aggregates): pre_process only. */
    post?: boolean;
  },
  work: Work<T>,
): Promise<T> {
  if (!scope || !hasScripts(scope, op)) return work(op.request, exec);
  const name = operationName(op.service, op.resource, op.verb);
  const pre = scope.host.scriptsFor(name, 'pre_process');
  const post = options.post === false ? [] : scope.host.scriptsFor(name, 'post_process');
  const event: ScriptEvent = {
    name,
    api: op.api,
    service: op.service,
    resource: [...op.resource, ...(op.id === null ? [] : [op.id])].join('/'),
    table: op.table,
    id: op.id,
    verb: op.verb,
    request: op.request,
    response: null,
  };
  const run = async (onExec: ExecContext, bound: ReadonlyMap<string, DataSource>): Promise<T> => {
    for (const script of pre)
      await runEventScript(scope, script, event, `${name}.pre_process`, exec.principal, bound);
    const result = await work(event.request, onExec);
    if (post.length === 0) return result;
    event.response = { status_code: result.status, content: result.content };
    for (const script of post)
      await runEventScript(scope, script, event, `${name}.post_process`, exec.principal, bound);
    return { ...result, status: event.response.status_code, content: event.response.content };
  };
  if (!options.transactional) return run(exec, scope.bound);
  return exec.source(op.service).transaction((tx) =>
    run(
      // Fresh loaders: rows read inside the transaction must not be served to reads after it.
      { ...exec, source: (s) => (s === op.service ? tx : exec.source(s)), loaders: new Map() },
      new Map([...scope.bound, [op.service, tx]]),
    ),
  );
}

async function runEventScript(
  scope: ScriptScope,
  script: LoadedEventScript,
  event: ScriptEvent,
  eventName: string,
  principal: Principal,
  bound: ReadonlyMap<string, DataSource>,
): Promise<void> {
  const { host } = scope;
  const role = host.role(script.config.role);
  await runWithLimit(
    { event: eventName, module: script.module.name, timeoutMs: script.config.timeoutMs },
    (signal) => {
      const platform = createPlatform({
        call: scope.callWith(bound),
        principal,
        runAs: role ? rolePrincipal(role, script.module.name) : null,
        settings: host.config.settings,
        logger: host.logger,
        script: { module: script.module.name, event: eventName },
        signal,
      });
      // The same object for every script of the operation: what one changes, the next one and the work see.
      event.name = eventName;
      return script.module.run(event, platform);
    },
    (report) => host.report(report),
  );
}
