// The boot-time guard of SPEC §6.2: every field SERVICENOW_SYNC_QUERY and the adapter name
// must exist on the table. The instance ignores a query term whose field does not exist
// (c_TableAPI.md, sysparm_query: "if part of a query is invalid, such as an invalid field
// name, the instance ignores the invalid part"), so a misspelt sync field would sync every
// record. Fields are looked up in sys_dictionary on the table and its parents (incident and
// sn_customerservice_case extend task, where correlation_id, comments and work_notes live),
// the parents read from sys_db_object.super_class. Where the dictionary is not readable, a
// one-row read with sysparm_fields tells which of the fields come back ("Invalid fields are
// ignored"); with no row to read, the fields cannot be checked and that is an error too.
import { z } from 'zod';
import type { ServiceNowTable } from '../../domain/servicenow-priority';
import type { ServiceNowClient } from './servicenow-client';
import { permanent } from './servicenow-errors';
import { dbObjectSchema, dictionarySchema, listOf, oneOf } from './servicenow-schemas';

export interface FieldCheck {
  /** The tables looked in, the table first (empty when the dictionary was not readable). */
  readonly tables: readonly string[];
  readonly missing: readonly string[];
  readonly how: 'dictionary' | 'record';
}

const MAX_DEPTH = 10;

async function lineage(sn: ServiceNowClient, table: string): Promise<string[]> {
  const { result } = await sn.call(
    'GET sys_db_object',
    'GET',
    '/api/now/table/sys_db_object',
    listOf(dbObjectSchema),
    {
      query: {
        sysparm_query: `name=${table}`,
        sysparm_fields: 'sys_id,name,super_class',
        sysparm_exclude_reference_link: 'true',
        sysparm_limit: 1,
      },
    },
  );
  const tables: string[] = [];
  let row = result[0];
  while (row !== undefined && tables.length < MAX_DEPTH) {
    tables.push(row.name);
    if (row.super_class === '') break;
    row = (
      await sn.call(
        'GET sys_db_object',
        'GET',
        `/api/now/table/sys_db_object/${encodeURIComponent(row.super_class)}`,
        oneOf(dbObjectSchema),
        {
          query: {
            sysparm_fields: 'sys_id,name,super_class',
            sysparm_exclude_reference_link: 'true',
          },
        },
      )
    ).result;
  }
  return tables;
}

export async function checkFields(
  sn: ServiceNowClient,
  table: ServiceNowTable,
  fields: readonly string[],
): Promise<FieldCheck> {
  const wanted = [...new Set(['sys_id', ...fields])].sort();
  const tables = await lineage(sn, table);
  if (tables.length > 0) {
    const { result } = await sn.call(
      'GET sys_dictionary',
      'GET',
      '/api/now/table/sys_dictionary',
      listOf(dictionarySchema),
      {
        query: {
          sysparm_query: `nameIN${tables.join(',')}^elementIN${wanted.join(',')}`,
          sysparm_fields: 'name,element',
          sysparm_limit: 1000,
        },
      },
    );
    const found = new Set(result.map((r) => r.element));
    // sys_id is defined on every table: none found means the rows were not readable.
    if (found.size > 0)
      return { tables, missing: wanted.filter((f) => !found.has(f)), how: 'dictionary' };
  }
  const { result } = await sn.call(
    `GET ${table} (field probe)`,
    'GET',
    `/api/now/table/${table}`,
    listOf(dictionaryProbe),
    { query: { sysparm_fields: wanted.join(','), sysparm_limit: 1 } },
  );
  const row = result[0];
  if (row === undefined)
    throw permanent(
      `ServiceNow: the fields of ${table} cannot be checked (sys_dictionary is not readable and no record is); grant the integration user read access to sys_dictionary and sys_db_object`,
    );
  return { tables: [], missing: wanted.filter((f) => !(f in row)), how: 'record' };
}

const dictionaryProbe = z.record(z.string(), z.unknown());
