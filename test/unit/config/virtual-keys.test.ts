// virtualForeignKeys in string and object form → FieldRef pairs, or the problems with their paths.
import { describe, expect, it } from 'vitest';
import { parse, problems, sqlite } from './helpers.js';

const services = [sqlite('chinook'), { name: 'reviews', type: 'mongodb', url: 'mongodb://mongo/reviews' }];

describe('virtual foreign keys', () => {
  it('reads the string form service.table.field', () => {
    const config = parse({
      services,
      virtualForeignKeys: [{ from: 'reviews.review.track_id', to: 'chinook.Track.TrackId' }],
    });
    expect(config.virtualForeignKeys).toEqual([
      {
        from: { service: 'reviews', table: 'review', fields: ['track_id'] },
        to: { service: 'chinook', table: 'Track', fields: ['TrackId'] },
      },
    ]);
  });

  it('splits the string form at the first and last dot, so table names may contain dots', () => {
    const config = parse({
      services,
      virtualForeignKeys: [{ from: 'chinook.dbo.Album.ArtistId', to: 'chinook.a.b.c.Id' }],
    });
    expect(config.virtualForeignKeys[0]).toEqual({
      from: { service: 'chinook', table: 'dbo.Album', fields: ['ArtistId'] },
      to: { service: 'chinook', table: 'a.b.c', fields: ['Id'] },
    });
  });

  it('reads the object form with composite keys', () => {
    const from = { service: 'chinook', table: 'InvoiceLine', fields: ['InvoiceId', 'TrackId'] };
    const to = { service: 'reviews', table: 'sale.line', fields: ['invoice', 'track'] };
    expect(parse({ services, virtualForeignKeys: [{ from, to }] }).virtualForeignKeys).toEqual([
      { from, to },
    ]);
  });

  it('rejects a string without three parts', () => {
    expect(
      problems({ services, virtualForeignKeys: [{ from: 'chinook.Track', to: 'chinook..Id' }] }),
    ).toEqual([
      'virtualForeignKeys[0].from: expected "service.table.field" or an object { service, table, fields }',
      'virtualForeignKeys[0].to: expected "service.table.field" or an object { service, table, fields }',
    ]);
  });

  it('rejects an unknown service at the string or at the service key', () => {
    const virtualForeignKeys = [
      { from: 'review.review.track_id', to: 'chinook.Track.TrackId' },
      { from: 'chinook.Track.TrackId', to: { service: 'chinok', table: 'Track', fields: ['TrackId'] } },
    ];
    expect(problems({ services, virtualForeignKeys })).toEqual([
      "virtualForeignKeys[0].from: unknown service 'review' (services: chinook, reviews)",
      "virtualForeignKeys[1].to.service: unknown service 'chinok' (services: chinook, reviews)",
    ]);
  });

  it('rejects ends with different numbers of fields', () => {
    const to = { service: 'chinook', table: 'InvoiceLine', fields: ['InvoiceId', 'TrackId'] };
    expect(problems({ services, virtualForeignKeys: [{ from: 'reviews.review.track_id', to }] })).toEqual([
      'virtualForeignKeys[0]: from has 1 field(s) but to has 2',
    ]);
  });

  it('rejects a key declared twice, in either form', () => {
    const virtualForeignKeys = [
      { from: 'reviews.review.track_id', to: 'chinook.Track.TrackId' },
      {
        from: { service: 'reviews', table: 'review', fields: ['track_id'] },
        to: { service: 'chinook', table: 'Track', fields: ['TrackId'] },
      },
    ];
    expect(problems({ services, virtualForeignKeys })).toEqual([
      'virtualForeignKeys[1]: declared twice (first at virtualForeignKeys[0])',
    ]);
  });

  it('rejects unknown keys and empty field lists in the object form', () => {
    const from = { service: 'chinook', table: 'Track', fields: [], column: 'x' };
    expect(problems({ services, virtualForeignKeys: [{ from, to: 'chinook.Track.TrackId' }] })).toEqual([
      'virtualForeignKeys[0].from.column: unknown key (expected one of service, table, fields)',
      'virtualForeignKeys[0].from.fields: needs at least 1 entry',
    ]);
  });
});
