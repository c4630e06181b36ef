// DreamFactory event names: `{service}.{resource…}.{verb}.{pre_process|post_process}`. A configured name may
// put `*` or a `{placeholder}` (DF's `{table_name}`) in any segment: the service one matches a service name,
// one in the resource matches any text there (table names may contain dots), `*` as the verb any verb.

export type Phase = 'pre_process' | 'post_process';

/** `chinook._table.Album.get` (no phase): the operation's name without the phase. */
export function operationName(service: string, resource: readonly string[], verb: string): string {
  return [service, ...resource, verb.toLowerCase()].join('.');
}

/** A configured event name → a test of an operation name + phase. */
export function eventMatcher(pattern: string): (operation: string, phase: Phase) => boolean {
  const segments = pattern.split('.');
  const phase = segments.pop() as Phase;
  const verb = segments.pop() ?? '';
  const [service = '', ...resource] = segments;
  const wild = (segment: string) => segment === '*' || /^\{[^}]*\}$/.test(segment);
  const literal = (segment: string) => segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = [
    wild(service) ? '[^.]+' : literal(service),
    ...resource.map((segment) => (wild(segment) ? '.+' : literal(segment))),
    verb === '*' ? '[a-z]+' : literal(verb.toLowerCase()),
  ].join('\\.');
  const regex = new RegExp(`^${source}$`, 'i');
  return (operation, wanted) => wanted === phase && regex.test(operation);
}
