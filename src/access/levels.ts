/**
 * What a caller may do, as one of three levels, and which tools each level sees. A member's role
 * caps the level (viewer: read, member: write, admin: admin); an OAuth token's scopes cap it again
 * (`workstream:read` < `workstream:write` < `workstream:admin`, each including the ones before).
 * `tools/list` shows only the tools the caller's level reaches, after `--toolsets` and
 * `--read-only` have narrowed the catalogue; the Workstream still checks the role on every call.
 */
import type { Tool } from '../tools/define.js';

export const LEVELS = ['read', 'write', 'admin'] as const;
export type Level = (typeof LEVELS)[number];
export type Role = 'admin' | 'member' | 'viewer';

/** Tools that change organisation-wide configuration: admins only. */
export const ADMIN_TOOLS: ReadonlySet<string> = new Set([
  'set_sla_policy',
  'set_checklist_template',
  'apply_checklist_template',
  'set_process_rules',
  'set_business_calendar',
  'register_webhook',
  'list_access_events',
]);

const ROLE_LEVEL: Readonly<Record<Role, Level>> = { viewer: 'read', member: 'write', admin: 'admin' };

function rank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** The level a tool needs: admin tools by name, then its readOnlyHint. */
export function toolLevel(tool: Pick<Tool, 'name' | 'annotations'>): Level {
  if (ADMIN_TOOLS.has(tool.name)) return 'admin';
  return tool.annotations.readOnlyHint ? 'read' : 'write';
}

/** The scope names for a prefix: `workstream:` gives workstream:read, workstream:write, workstream:admin. */
export function scopeNames(prefix: string): Readonly<Record<Level, string>> {
  return { read: `${prefix}read`, write: `${prefix}write`, admin: `${prefix}admin` };
}

/** The highest level the scopes grant, or null when they grant none. */
export function scopeLevel(scopes: readonly string[], prefix: string): Level | null {
  const names = scopeNames(prefix);
  const held = LEVELS.filter((level) => scopes.includes(names[level]));
  return held.at(-1) ?? null;
}

/** What one caller may reach: the role's level, capped by the token's scopes when it has any. */
export interface Access {
  readonly role: Role;
  /** The level the token's scopes grant; undefined when the token is not scoped (static tokens, stdio). */
  readonly scopeLevel?: Level | null;
}

export function levelOf(access: Access): Level | null {
  const byRole = ROLE_LEVEL[access.role];
  if (access.scopeLevel === undefined) return byRole;
  if (access.scopeLevel === null) return null;
  return rank(access.scopeLevel) < rank(byRole) ? access.scopeLevel : byRole;
}

export function reaches(access: Access, tool: Pick<Tool, 'name' | 'annotations'>): boolean {
  const level = levelOf(access);
  return level !== null && rank(level) >= rank(toolLevel(tool));
}

/**
 * Why a tool is out of reach: its scope, when the role would allow the call and only the
 * token's scopes stand in the way (a step-up with a broader token helps), else null.
 */
export function missingScope(access: Access, tool: Pick<Tool, 'name' | 'annotations'>): Level | null {
  if (reaches(access, tool)) return null;
  const needed = toolLevel(tool);
  return rank(ROLE_LEVEL[access.role]) >= rank(needed) ? needed : null;
}

/** The tools a caller sees, in the catalogue's order. */
export function toolsFor<T extends Pick<Tool, 'name' | 'annotations'>>(
  access: Access | undefined,
  tools: readonly T[],
): T[] {
  return access ? tools.filter((tool) => reaches(access, tool)) : [...tools];
}
