// Configured DreamFactory event names → which operations (name without the phase) and phase they fire for.
import { describe, expect, it } from 'vitest';
import { eventMatcher, operationName } from '../../../src/scripts/events.js';

describe('eventMatcher', () => {
  it('matches an exact event name for its phase only', () => {
    const matches = eventMatcher('chinook._table.Album.get.pre_process');
    expect(matches('chinook._table.Album.get', 'pre_process')).toBe(true);
    expect(matches('chinook._table.Album.get', 'post_process')).toBe(false);
  });

  it('does not match another service, table or verb, nor a table whose name only starts the same', () => {
    const matches = eventMatcher('chinook._table.Album.get.post_process');
    expect(matches('music._table.Album.get', 'post_process')).toBe(false);
    expect(matches('chinook._table.Artist.get', 'post_process')).toBe(false);
    expect(matches('chinook._table.AlbumArchive.get', 'post_process')).toBe(false);
    expect(matches('chinook._table.Album.post', 'post_process')).toBe(false);
    expect(matches('xchinook._table.Album.get', 'post_process')).toBe(false);
  });

  it('ignores case in every segment', () => {
    const matches = eventMatcher('Chinook._TABLE.album.GET.post_process');
    expect(matches('chinook._table.Album.get', 'post_process')).toBe(true);
    expect(matches('CHINOOK._table.ALBUM.get', 'post_process')).toBe(true);
  });

  it('matches any table for a {table_name} placeholder, dotted names included', () => {
    const matches = eventMatcher('chinook._table.{table_name}.post.pre_process');
    expect(matches('chinook._table.Album.post', 'pre_process')).toBe(true);
    expect(matches('chinook._table.dbo.Album.post', 'pre_process')).toBe(true);
    expect(matches('chinook._table.Album.get', 'pre_process')).toBe(false);
    expect(matches('other._table.Album.post', 'pre_process')).toBe(false);
  });

  it('takes a * in the resource like a placeholder', () => {
    const matches = eventMatcher('chinook._table.*.delete.post_process');
    expect(matches('chinook._table.Track.delete', 'post_process')).toBe(true);
    expect(matches('chinook._table.sales.Q1.delete', 'post_process')).toBe(true);
  });

  it('matches any one service for a * or placeholder in the service segment, never a dotted one', () => {
    const star = eventMatcher('*._table.Album.get.pre_process');
    expect(star('chinook._table.Album.get', 'pre_process')).toBe(true);
    expect(star('music._table.Album.get', 'pre_process')).toBe(true);
    const named = eventMatcher('{service}._table.Album.get.pre_process');
    expect(named('music._table.Album.get', 'pre_process')).toBe(true);
    // `a.b` would have to be a service called `a` with the resource `b._table.Album`.
    expect(star('a.b._table.Album.get', 'pre_process')).toBe(false);
  });

  it('matches every verb for a * verb, and nothing but a verb', () => {
    const matches = eventMatcher('chinook._table.Album.*.post_process');
    for (const verb of ['get', 'post', 'put', 'patch', 'delete'])
      expect(matches(`chinook._table.Album.${verb}`, 'post_process')).toBe(true);
    expect(matches('chinook._table.Album', 'post_process')).toBe(false);
  });

  it('matches a table name with dots when the configured name spells it out', () => {
    const matches = eventMatcher('crm._table.sales.orders.get.pre_process');
    expect(matches('crm._table.sales.orders.get', 'pre_process')).toBe(true);
    expect(matches('crm._table.salesXorders.get', 'pre_process')).toBe(false);
  });

  it('reads a literal segment literally: regex characters in it match only themselves', () => {
    const matches = eventMatcher('crm._table.a+b$.get.pre_process');
    expect(matches('crm._table.a+b$.get', 'pre_process')).toBe(true);
    expect(matches('crm._table.aab$.get', 'pre_process')).toBe(false);
  });
});

describe('operationName', () => {
  it('joins the service, the resource and the lower-case verb with dots', () => {
    expect(operationName('chinook', ['_table', 'Album'], 'GET')).toBe('chinook._table.Album.get');
    expect(operationName('chinook', ['_proc', 'refresh'], 'post')).toBe('chinook._proc.refresh.post');
  });
});
