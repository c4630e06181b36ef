// `junction user add|list|set-password|set-role|disable|enable|remove`: the users in the system database of
// the config (auth.systemDatabase: a SQLite file or a configured SQL service). Passwords come from --password-stdin, --password-env VAR or a prompt
// with echo off, never from argv (which other users of the machine can see in the process list). A running
// server notices every change on its next request.
import type { Command } from 'commander';
import type { SystemUser } from '../adapters/sql/system-store.js';
import { openUserStore, type UserStore } from '../adapters/sql/user-store.js';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import type { JunctionConfig } from '../config/types.js';
import { ApiError } from '../errors/index.js';
import { resolveConfig, stderr, type ConfigFlags } from './context.js';

const CONFIG_HELP = 'config file (default: $JUNCTION_CONFIG, then ./junction.yaml)';
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export interface PasswordFlags {
  passwordStdin?: boolean;
  passwordEnv?: string;
}

export interface UserAddFlags extends ConfigFlags, PasswordFlags {
  role: string;
  name?: string;
  disabled?: boolean;
}

type Run = <A extends unknown[]>(command: (...args: A) => Promise<void>) => (...args: A) => Promise<void>;

/** Adds `junction user …` to the program; `run` is main.ts's error reporter. */
export function registerUserCommands(cli: Command, run: Run): void {
  const user = cli
    .command('user')
    .description('manage users who log in with POST /api/v2/user/session (auth.systemDatabase)')
    .showHelpAfterError();
  const passwordOptions = (command: Command) =>
    command
      .option('--password-stdin', 'read the password from standard input (one line)')
      .option('--password-env <VAR>', 'read the password from this environment variable');
  passwordOptions(
    user
      .command('add')
      .description('add a user (asks for the password unless --password-stdin or --password-env)')
      .argument('<email>', "the user's email, used to log in")
      .requiredOption('--role <name>', 'the role the user runs as (a name from auth.roles)')
      .option('--name <name>', 'display name')
      .option('--disabled', 'add the user disabled')
      .option('-c, --config <file>', CONFIG_HELP),
  ).action(run(userAdd));
  user
    .command('list')
    .description('list the users (never their password hashes)')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--json', 'print JSON')
    .action(run(userList));
  passwordOptions(
    user
      .command('set-password')
      .description("change a user's password")
      .argument('<email>')
      .option('-c, --config <file>', CONFIG_HELP),
  ).action(run(userSetPassword));
  user
    .command('set-role')
    .description("change a user's role")
    .argument('<email>')
    .argument('<role>', 'a name from auth.roles')
    .option('-c, --config <file>', CONFIG_HELP)
    .action(run(userSetRole));
  for (const [name, active] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    user
      .command(name)
      .description(active ? 'let a disabled user log in again' : "refuse a user's logins and existing tokens")
      .argument('<email>')
      .option('-c, --config <file>', CONFIG_HELP)
      .action(run((email: string, flags: ConfigFlags) => userSetActive(email, active, flags)));
  }
  user
    .command('remove')
    .description('delete a user (existing tokens stop working)')
    .argument('<email>')
    .option('-c, --config <file>', CONFIG_HELP)
    .action(run(userRemove));
}

export async function userAdd(email: string, flags: UserAddFlags): Promise<void> {
  await withStore(flags, async (store, config) => {
    const address = checkEmail(email);
    const role = checkRole(config, flags.role);
    const password = await readPassword(flags);
    const user = await store.addUser({
      email: address,
      name: flags.name ?? null,
      passwordHash: await hashPassword(password),
      role,
      active: !flags.disabled,
    });
    console.log(`added user ${user.id} ${user.email} (role ${user.role}${user.active ? '' : ', disabled'})`);
  });
}

export async function userList(flags: ConfigFlags & { json?: boolean }): Promise<void> {
  await withStore(flags, async (store) => {
    const users = (await store.listUsers()).map(({ passwordHash: _, ...user }) => user);
    if (flags.json) {
      console.log(JSON.stringify(users, null, 2));
      return;
    }
    if (users.length === 0) {
      console.log(`no users in ${store.where}`);
      return;
    }
    const rows = [
      ['id', 'email', 'name', 'role', 'active', 'last login'],
      ...users.map((u) => [
        String(u.id),
        u.email,
        u.name ?? '',
        u.role,
        u.active ? 'yes' : 'no',
        u.lastLoginAt ?? '',
      ]),
    ];
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
    for (const row of rows)
      console.log(
        row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      );
  });
}

export async function userSetPassword(email: string, flags: ConfigFlags & PasswordFlags): Promise<void> {
  await withStore(flags, async (store) => {
    const user = await existing(store, email);
    const password = await readPassword(flags);
    await store.updateUser(user.email, { passwordHash: await hashPassword(password) });
    console.log(`password of ${user.email} changed`);
  });
}

export async function userSetRole(email: string, role: string, flags: ConfigFlags): Promise<void> {
  await withStore(flags, async (store, config) => {
    const user = await existing(store, email);
    await store.updateUser(user.email, { role: checkRole(config, role) });
    console.log(`${user.email} now has role ${role}`);
  });
}

export async function userSetActive(email: string, active: boolean, flags: ConfigFlags): Promise<void> {
  await withStore(flags, async (store) => {
    const user = await existing(store, email);
    await store.updateUser(user.email, { active });
    console.log(
      `${user.email} ${active ? 'enabled' : 'disabled: its tokens stop working on their next request'}`,
    );
  });
}

export async function userRemove(email: string, flags: ConfigFlags): Promise<void> {
  await withStore(flags, async (store) => {
    const user = await existing(store, email);
    await store.removeUser(user.email);
    console.log(`removed ${user.email}`);
  });
}

async function withStore(
  flags: ConfigFlags,
  work: (store: UserStore, config: JunctionConfig) => Promise<void>,
): Promise<void> {
  const { config } = await resolveConfig(flags, stderr);
  const users = config.auth.users;
  if (!users) {
    throw new ApiError(
      'CONFIG_INVALID',
      `users are off in ${config.source ?? 'this config'}: set auth.sessionSecret (e.g. \${JUNCTION_SESSION_SECRET}, at least 32 bytes) to turn them on`,
    );
  }
  const store = openUserStore(users.systemDatabase, config.services);
  try {
    await work(store, config);
  } finally {
    await store.close();
  }
}

async function existing(store: UserStore, email: string): Promise<SystemUser> {
  const user = await store.userByEmail(email.trim());
  if (!user) throw new ApiError('NOT_FOUND', `no user with the email ${email.trim()}`);
  return user;
}

function checkEmail(email: string): string {
  const address = email.trim();
  if (!EMAIL.test(address) || address.length > 254) {
    throw new ApiError('BAD_REQUEST', `'${address}' is not an email address`);
  }
  return address;
}

function checkRole(config: JunctionConfig, role: string): string {
  if (config.auth.roles.some((r) => r.name === role)) return role;
  const known = config.auth.roles.map((r) => r.name);
  throw new ApiError(
    'BAD_REQUEST',
    `unknown role '${role}' (${known.length > 0 ? `roles: ${known.join(', ')}` : 'no roles are configured'})`,
  );
}

export async function readPassword(flags: PasswordFlags): Promise<string> {
  if (flags.passwordStdin && flags.passwordEnv !== undefined) {
    throw new ApiError('BAD_REQUEST', 'give --password-stdin or --password-env, not both');
  }
  let password: string;
  if (flags.passwordEnv !== undefined) {
    const value = process.env[flags.passwordEnv];
    if (value === undefined)
      throw new ApiError('BAD_REQUEST', `environment variable ${flags.passwordEnv} is not set`);
    password = value;
  } else if (flags.passwordStdin) {
    password = (await readStdin()).replace(/\r?\n$/, '');
  } else if (process.stdin.isTTY) {
    password = await promptHidden('Password: ');
    if ((await promptHidden('Repeat it: ')) !== password)
      throw new ApiError('BAD_REQUEST', 'the passwords differ');
  } else {
    throw new ApiError(
      'BAD_REQUEST',
      'no password: use --password-stdin or --password-env VAR, or run in a terminal to be asked',
    );
  }
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new ApiError(
      'BAD_REQUEST',
      `the password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`,
    );
  }
  return password;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const { stdin } = process;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish();
          reject(new ApiError('BAD_REQUEST', 'cancelled'));
          return;
        }
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}
