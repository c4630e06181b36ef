// Classic example 2: an obfuscated endpoint. The scripted service `staff` hides `hr/_table/employees` behind
// `/api/v2/staff`: clients see neither the database's service, its table nor its column names. Full CRUD:
//
//   GET    /api/v2/staff          list (?limit=, ?offset=)     POST   /api/v2/staff      create
//   GET    /api/v2/staff/{id}     one                          PATCH  /api/v2/staff/{id} change
//   DELETE /api/v2/staff/{id}     remove (answers its id)
//
// Config:
//   scripts:
//     settings: { staffSource: hr/_table/employees }
//     services:
//       - { name: staff, module: staff-endpoint.ts, label: Staff directory }
import type { Platform, ScriptRequest } from '../../src/scripts/types.js';

type Row = Record<string, unknown>;

/** Public name → column. Anything else a client sends is refused. */
const FIELDS: Record<string, string> = {
  id: 'EmployeeId',
  first_name: 'FirstName',
  last_name: 'LastName',
  title: 'Title',
  email: 'Email',
};
const COLUMNS = Object.values(FIELDS).join(',');

const toPublic = (row: Row): Row =>
  Object.fromEntries(Object.entries(FIELDS).map(([name, column]) => [name, row[column] ?? null]));

function toColumns(body: unknown, platform: Platform): Row {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    platform.reject(400, 'Send one staff member as a JSON object.');
  const row: Row = {};
  for (const [name, value] of Object.entries(body as Row)) {
    const column = FIELDS[name];
    if (!column || name === 'id') platform.reject(400, `Unknown or read-only field '${name}'.`);
    row[column] = value;
  }
  return row;
}

export default async function staff(request: ScriptRequest, platform: Platform): Promise<unknown> {
  const source = String(platform.config.staffSource ?? 'hr/_table/employees');
  const [id, ...extra] = request.segments;
  if (extra.length > 0) platform.reject(404, 'No such staff resource.');
  if (id !== undefined && !/^[0-9]+$/.test(id)) platform.reject(404, `No staff member '${id}'.`);
  const one = async (key: string) => {
    const found = await platform.api.get(`${source}/${key}`, { params: { fields: COLUMNS } });
    return toPublic(found.content as Row);
  };
  switch (request.method) {
    case 'get': {
      if (id !== undefined) return one(id);
      const limit = Math.min(Number(request.parameters.limit ?? 20) || 20, 100);
      const offset = Number(request.parameters.offset ?? 0) || 0;
      const list = await platform.api.get(source, {
        params: { fields: COLUMNS, limit, offset, order: 'EmployeeId' },
      });
      return { staff: (list.content as { resource: Row[] }).resource.map(toPublic) };
    }
    case 'post': {
      if (id !== undefined) platform.reject(400, 'POST to /staff, without an id.');
      const created = await platform.api.post(
        source,
        { resource: [toColumns(request.payload, platform)] },
        { params: { fields: COLUMNS } },
      );
      const [row] = (created.content as { resource: Row[] }).resource;
      return platform.response(toPublic(row ?? {}), 201);
    }
    case 'patch':
    case 'put': {
      if (id === undefined) platform.reject(400, 'Name the staff member: /staff/{id}.');
      await platform.api.patch(`${source}/${id}`, toColumns(request.payload, platform));
      return one(id);
    }
    case 'delete': {
      if (id === undefined) platform.reject(400, 'Name the staff member: /staff/{id}.');
      await platform.api.delete(`${source}/${id}`);
      return { id: Number(id) };
    }
  }
}

const member = {
  type: 'object',
  properties: {
    id: { type: 'integer', readOnly: true },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    title: { type: ['string', 'null'] },
    email: { type: ['string', 'null'] },
  },
};

/** What api_docs/staff documents. */
export const openapi = {
  components: { schemas: { StaffMember: member } },
  paths: {
    '/': {
      get: {
        summary: 'List staff',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 100 } },
          { name: 'offset', in: 'query', schema: { type: 'integer' } },
        ],
        responses: { '200': { description: 'Staff members, by id' } },
      },
      post: {
        summary: 'Add a staff member',
        requestBody: {
          content: { 'application/json': { schema: { $ref: '#/components/schemas/StaffMember' } } },
        },
        responses: { '201': { description: 'The new staff member' } },
      },
    },
    '/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      get: { summary: 'One staff member', responses: { '200': { description: 'The staff member' } } },
      patch: { summary: 'Change a staff member', responses: { '200': { description: 'As changed' } } },
      delete: { summary: 'Remove a staff member', responses: { '200': { description: 'The id removed' } } },
    },
  },
};
