/**
 * A custom field equal to a value, per dialect, for the list filters: `fields_json` is text on
 * SQLite (json_extract / json_type), jsonb on PostgreSQL (`->` and jsonb equality, so a number
 * matches a number and a string a string) and nvarchar(max) on SQL Server (JSON_VALUE, which
 * answers text: numbers are compared after TRY_CAST to float, booleans as 'true'/'false'). The key
 * and the value are bound as parameters, never spliced into the statement; the key is a defined
 * field's key (lower-case letters, digits, _), so the JSON path `$.key` needs no quoting.
 */
import { type RawBuilder, sql } from 'kysely';
import type { DialectName } from './dialect.js';

export type FieldValue = string | number | boolean;

export function fieldEqualsSql(
  dialect: DialectName,
  column: string,
  key: string,
  value: FieldValue,
): RawBuilder<boolean> {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(key)) throw new Error(`not a field key: ${key}`);
  const json = sql.ref(column);
  const path = `$.${key}`;
  switch (dialect) {
    case 'sqlite':
      // json_extract answers true and false as 1 and 0: json_type tells them from numbers.
      return typeof value === 'boolean'
        ? sql<boolean>`json_type(${json}, ${path}) = ${value ? 'true' : 'false'}`
        : sql<boolean>`json_extract(${json}, ${path}) = ${value}`;
    case 'postgres':
      return sql<boolean>`${json} -> ${key} = cast(${JSON.stringify(value)} as jsonb)`;
    case 'mssql':
      if (typeof value === 'number')
        return sql<boolean>`try_cast(json_value(${json}, ${path}) as float) = ${value}`;
      return sql<boolean>`json_value(${json}, ${path}) = ${typeof value === 'boolean' ? String(value) : value}`;
  }
}
