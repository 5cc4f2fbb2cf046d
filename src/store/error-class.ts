/**
 * What kind of database failure an error is, for the query-error series: the same few classes on
 * every dialect, read from each driver's codes (PostgreSQL SQLSTATE, SQLite result codes, SQL
 * Server error numbers, Node socket errors).
 */
import { uniqueViolation } from './dialect.js';

export const QUERY_ERROR_CLASSES = [
  'connection',
  'deadlock',
  'serialization',
  'busy',
  'timeout',
  'unique_violation',
  'constraint',
  'other',
] as const;

export type QueryErrorClass = (typeof QUERY_ERROR_CLASSES)[number];

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);
// tedious: ESOCKET (network), ECONNCLOSED, ELOGIN, ETIMEOUT (connect or request timeout).
const MSSQL_CONNECTION_CODES = new Set(['ESOCKET', 'ECONNCLOSED', 'ELOGIN', 'EINSTLOOKUP']);

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

export function queryErrorClass(error: unknown): QueryErrorClass {
  if (uniqueViolation(error)) return 'unique_violation';
  const code = String(field(error, 'code') ?? '');
  const number = field(error, 'number') ?? field(field(error, 'originalError'), 'number');
  const message = String(field(error, 'message') ?? '');
  // PostgreSQL SQLSTATE
  if (code === '40P01') return 'deadlock';
  if (code === '40001') return 'serialization';
  if (code === '57014' || code === '55P03') return 'timeout'; // statement timeout, lock not available
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300')
    return 'connection';
  if (/^23\d{3}$/.test(code)) return 'constraint';
  // SQLite
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_BUSY_')) return 'busy';
  if (code.startsWith('SQLITE_CONSTRAINT')) return 'constraint';
  if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_IOERR')) return 'connection';
  // SQL Server
  if (number === 1205) return 'deadlock';
  if (number === 547 || number === 515) return 'constraint';
  if (code === 'ETIMEOUT') return 'timeout';
  if (MSSQL_CONNECTION_CODES.has(code)) return 'connection';
  // Node sockets and pg's own messages for a connection that went away.
  if (SOCKET_CODES.has(code)) return 'connection';
  if (/Connection terminated|connection is closed|Client has encountered a connection error/i.test(message))
    return 'connection';
  if (/timeout exceeded when trying to connect/i.test(message)) return 'connection';
  return 'other';
}
