// ${VAR} substitution in string values → substituted document, or problems naming the path and the variable.
import { describe, expect, it } from 'vitest';
import { substituteString } from '../../../src/config/index.js';
import { parse, problems } from './helpers.js';

const pgService = (url: string) => ({ name: 'pg', type: 'postgres', url });

describe('substituteString', () => {
  it('replaces a set variable, keeping the rest of the text', () => {
    expect(substituteString('postgres://u:${PG_PASSWORD}@h/db', { PG_PASSWORD: 's3cret' }).text).toBe(
      'postgres://u:s3cret@h/db',
    );
  });

  it('uses the default when the variable is unset or empty', () => {
    expect(substituteString('${PORT:-5432}', {}).text).toBe('5432');
    expect(substituteString('${PORT:-5432}', { PORT: '' }).text).toBe('5432');
    expect(substituteString('${PORT:-}', {}).text).toBe('');
  });

  it('keeps an empty value when there is no default', () => {
    expect(substituteString('a${EMPTY}b', { EMPTY: '' })).toEqual({
      text: 'ab',
      missing: [],
      malformed: false,
    });
  });

  it('turns $${ into a literal ${ without substituting', () => {
    expect(substituteString('$${HOME} and ${HOME}', { HOME: '/root' }).text).toBe('${HOME} and /root');
  });

  it('does not substitute inside a substituted value', () => {
    expect(substituteString('${A}', { A: '${B}', B: 'no' }).text).toBe('${B}');
  });

  it('leaves other dollar signs alone', () => {
    expect(substituteString('pa$$word $HOME', {}).text).toBe('pa$$word $HOME');
  });

  it('lists every missing variable', () => {
    expect(substituteString('${A}:${B}', {}).missing).toEqual(['A', 'B']);
  });

  it('flags malformed and nested references', () => {
    expect(substituteString('${1A}', {}).malformed).toBe(true);
    expect(substituteString('${A', {}).malformed).toBe(true);
    expect(substituteString('${A:-${B}}', {}).malformed).toBe(true);
  });
});

describe('substitution in a config document', () => {
  it('applies to every string value, nested ones included', () => {
    const config = parse(
      {
        server: { port: '${PORT:-9090}', adminToken: '${TOKEN}' },
        services: [{ name: 'pg', type: 'postgres', connection: { host: '${PG_HOST}', database: 'db' } }],
      },
      { TOKEN: 't0ken', PG_HOST: 'db.internal' },
    );
    expect(config.server).toEqual({ host: '127.0.0.1', port: 9090, adminToken: 't0ken' });
    expect(config.services[0]?.connection).toMatchObject({ host: 'db.internal' });
  });

  it('cannot inject structure: a value that looks like YAML stays a string', () => {
    const config = parse(
      { services: [{ name: 'lite', type: 'sqlite', filename: '${FILE}' }] },
      { FILE: 'x\nurl: y' },
    );
    expect(config.services[0]?.connection).toEqual({ kind: 'file', filename: '/etc/junction/x\nurl: y' });
  });

  it('reports a missing variable with its path and name, once', () => {
    expect(problems({ services: [pgService('postgres://u:${PG_PASSWORD}@h/db')] })).toEqual([
      'services[0].url: environment variable PG_PASSWORD is not set',
    ]);
  });

  it('reports a malformed reference with its path', () => {
    expect(problems({ services: [pgService('postgres://u:${PG PASSWORD}@h/db')] })).toEqual([
      'services[0].url: malformed ${…}: write ${NAME} or ${NAME:-default}, or $${ for a literal ${',
    ]);
  });

  it('never puts a substituted secret into an error message', () => {
    const env = { PG_URL: 'mysql://admin:hunter2@h/db', PORT: 'hunter2' };
    const lines = problems({ server: { port: '${PORT}' }, services: [pgService('${PG_URL}')] }, env);
    expect(lines).toEqual([
      'server.port: expected an integer',
      'services[0].url: a postgres url starts with postgres:// or postgresql://',
    ]);
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('reports missing variables together with other problems', () => {
    expect(
      problems({ server: { adminToken: '${TOKEN}' }, services: [{ ...pgService('x'), maxRecords: -1 }] }),
    ).toEqual([
      'server.adminToken: environment variable TOKEN is not set',
      'services[0].maxRecords: must be at least 1',
      'services[0].url: a postgres url starts with postgres:// or postgresql://',
    ]);
  });
});
