/** Organizations and their members: the tenants every other command is scoped to. */
import { z } from 'zod';
import { DEFAULT_BUSINESS_CALENDAR, validateCalendar } from '../domain/calendar.js';
import { CHECKLIST_KINDS, DEFAULT_CHECKLIST_TEMPLATES, DEFAULT_GATES } from '../domain/checklist.js';
import { duplicate, must } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { toJson, uniqueViolation as uniqueViolationOf, violates } from '../store/dialect.js';
import type { Deps } from './deps.js';
import { refuse } from './refusals.js';
import { DEFAULT_SLA_POLICIES } from './sla.js';
import { parse } from './validate.js';

export const CreateOrg = z.object({
  name: z.string().trim().min(1).max(400),
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes, 2–63 characters'),
  admin: z.object({ email: z.email().max(400), name: z.string().trim().min(1).max(400) }),
  timeZone: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .default('UTC')
    .describe('IANA time zone of the business calendar, e.g. Europe/Berlin.'),
});

export const AddMember = z.object({
  orgId: z.string().min(1),
  email: z.email().max(400),
  name: z.string().trim().min(1).max(400),
  role: z.enum(['admin', 'member', 'viewer']).default('member'),
  /** The identity provider's subject (`sub`), for members matched by it (docs/auth.md). */
  subject: z.string().trim().min(1).max(400).optional(),
});

export interface OrgCreated {
  orgId: string;
  slug: string;
  adminId: string;
}

/** A new organization with the default pink and red checklist templates, default gates and its first admin. */
/** Administration takes what an operator typed (the CLI) and parses it here, once. */
export async function createOrg(deps: Deps, input: unknown): Promise<OrgCreated> {
  const { name, slug, admin, timeZone } = parse(CreateOrg, input);
  // Mon–Fri 09:00–17:00 in the org's zone; an unknown zone is refused naming timeZone.
  const calendar = must(validateCalendar({ timeZone, weekly: DEFAULT_BUSINESS_CALENDAR('UTC').weekly }));
  const now = deps.clock.now();
  const orgId = newId('org', now);
  const adminId = newId('mem', now);
  try {
    await deps.store.db.transaction().execute(async (db) => {
      await db
        .insertInto('orgs')
        .values({
          id: orgId,
          name,
          slug,
          settings_json: toJson({ gates: DEFAULT_GATES }),
          created_at: now,
          updated_at: now,
        })
        .execute();
      await db
        .insertInto('members')
        .values({
          id: adminId,
          org_id: orgId,
          email: admin.email.toLowerCase(),
          display_name: admin.name,
          role: 'admin',
          created_at: now,
        })
        .execute();
      const calendarId = newId('cal', now);
      await db
        .insertInto('business_calendars')
        .values({
          id: calendarId,
          org_id: orgId,
          name: 'business hours',
          time_zone: calendar.timeZone,
          weekly_json: toJson(calendar.weekly),
          holidays_json: toJson(calendar.holidays),
          created_at: now,
          updated_at: now,
        })
        .execute();
      await db
        .insertInto('sla_policies')
        .values(
          DEFAULT_SLA_POLICIES.map((policy) => ({
            id: newId('slap', now),
            org_id: orgId,
            kind: policy.kind,
            priority: policy.priority,
            target_minutes: policy.targetHours * 60,
            calendar_id: calendarId,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
      for (const kind of CHECKLIST_KINDS) {
        const templateId = newId('tpl', now);
        await db
          .insertInto('checklist_templates')
          .values({
            id: templateId,
            org_id: orgId,
            kind,
            name: `${kind} team review`,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await db
          .insertInto('checklist_template_items')
          .values(
            DEFAULT_CHECKLIST_TEMPLATES[kind].map((item, position) => ({
              id: newId('tpli', now),
              org_id: orgId,
              template_id: templateId,
              item_key: item.key,
              label: item.label,
              is_required: item.required,
              position,
            })),
          )
          .execute();
      }
    });
  } catch (error) {
    if (violates(uniqueViolationOf(error), 'orgs_slug_key', 'orgs.slug')) {
      const existing = await deps.store.db
        .selectFrom('orgs')
        .select('id')
        .where('slug', '=', slug)
        .executeTakeFirst();
      refuse({
        ...duplicate('organization', existing?.id ?? slug),
        message: `An organization with slug ${slug} exists already.`,
      });
    }
    throw error;
  }
  return { orgId, slug, adminId };
}

export async function addMember(deps: Deps, input: unknown): Promise<{ memberId: string }> {
  const { orgId, email, name, role, subject } = parse(AddMember, input);
  const now = deps.clock.now();
  const memberId = newId('mem', now);
  try {
    await deps.store.db
      .insertInto('members')
      .values({
        id: memberId,
        org_id: orgId,
        email: email.toLowerCase(),
        display_name: name,
        role,
        subject: subject ?? null,
        created_at: now,
      })
      .execute();
  } catch (error) {
    if (violates(uniqueViolationOf(error), 'members_org_email_key', 'members.org_id, members.email')) {
      const existing = await deps.store.db
        .selectFrom('members')
        .select('id')
        .where('org_id', '=', orgId)
        .where('email', '=', email.toLowerCase())
        .executeTakeFirst();
      refuse(duplicate('member', existing?.id ?? email, `${email} is a member already.`));
    }
    throw error;
  }
  return { memberId };
}

export async function findOrgBySlug(deps: Deps, slug: string) {
  return deps.store.db.selectFrom('orgs').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function findMemberByEmail(deps: Deps, orgId: string, email: string) {
  return deps.store.db
    .selectFrom('members')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
}
