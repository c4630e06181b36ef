// `/_table/{table}[/{id}]` → the read or write handler for the verb. The table name is matched
// case-insensitively; path segments after the id are ignored (compat §1.1).
import { ApiError } from '../../errors/index.js';
import type { RestContext, RestResponse } from '../types.js';
import { handleGet } from './read.js';
import { handleWrite } from './write.js';

export async function tableHandler(ctx: RestContext): Promise<RestResponse> {
  const [, tableName, id] = ctx.request.path;
  const entry = ctx.index.findTable(ctx.request.service.name, tableName ?? '');
  if (!entry) throw new ApiError('NOT_FOUND', `Table "${tableName}" does not exist in the database.`);
  if (ctx.request.verb === 'GET') return handleGet(ctx, entry, id);
  return handleWrite(ctx, entry, id);
}
