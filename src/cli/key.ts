// `junction key create`: a new random API key, printed once, with the config snippet that holds only its
// hash. Needs no config file and no database; the key itself is written nowhere.
import { stringify } from 'yaml';
import { generateApiKey, hashApiKey } from '../auth/keys.js';
import { ApiError } from '../errors/index.js';

export interface KeyCreateFlags {
  app?: string;
  role?: string;
}

const NAME = /^[A-Za-z0-9_-]+$/;

/** Async only to fit the command runner; it does no I/O besides printing. */
export function keyCreate(flags: KeyCreateFlags): Promise<void> {
  const app = flags.app ?? 'my-app';
  const role = flags.role ?? 'CHANGE-ME';
  for (const [flag, value] of [
    ['--app', app],
    ['--role', role],
  ] as const) {
    if (!NAME.test(value) || value.length > 64) {
      throw new ApiError('BAD_REQUEST', `${flag} must be 1 to 64 letters, digits, _ or -`);
    }
  }
  const key = generateApiKey();
  // yaml quotes what would not read back as a string (a name like 123 or true).
  const snippet = stringify({
    auth: { apps: [{ name: app, role, apiKeyHash: `sha256:${hashApiKey(key)}` }] },
  });
  const roleHint = flags.role === undefined ? ' and set role to a name from auth.roles' : '';
  console.log(
    [
      `New API key for app '${app}':`,
      '',
      `  ${key}`,
      '',
      'Warning: the key is not stored anywhere and this is the only time it is shown; the config holds',
      'only its hash. Copy it to the client now (it sends it as the X-DreamFactory-API-Key header).',
      '',
      `Add the app to your config${roleHint}:`,
      '',
      snippet.trimEnd(),
    ].join('\n'),
  );
  return Promise.resolve();
}
