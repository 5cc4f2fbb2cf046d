/** Webhook endpoints: where the worker delivers an org's events. The secret signs every delivery. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { duplicate, validation } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { toJson, violates } from '../store/dialect.js';
import { requireAdmin } from './admin-role.js';
import { change } from './command.js';
import { text } from './params.js';
import { refuse } from './refusals.js';
import { run } from './unit-of-work.js';
import { PUBLIC_WEBHOOKS_ONLY, refusedAtRegistration } from './webhook-addresses.js';

export const RegisterWebhook = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(700),
  eventTypes: z
    .array(
      z.string().regex(/^(\*|[a-z_]+\.(\*|[a-z_]+))$/, 'an event type such as pursuit.won, pursuit.* or *'),
    )
    .min(1)
    .max(50)
    .default(['*']),
  description: text(400).optional(),
});

export const WebhookRegistered = z.object({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  secret: z.string().describe('Shown once: verify the X-Workstream-Signature header with it.'),
});
export type WebhookRegistered = z.output<typeof WebhookRegistered>;

export const registerWebhook = change({
  input: RegisterWebhook,
  output: WebhookRegistered,
  run: async (deps, actor, input) => {
    return run(
      deps,
      actor,
      async (unit) => {
        await requireAdmin(unit, 'registering a webhook');
        const refused = refusedAtRegistration(input.url, deps.webhookAddresses ?? PUBLIC_WEBHOOKS_ONLY);
        if (refused !== undefined) {
          refuse(
            validation('url', `url ${refused}.`, {
              nextStep:
                'Give a public https:// URL. For a receiver on this machine during development, start the server and worker with WORKSTREAM_WEBHOOK_ALLOW_PRIVATE=true.',
            }),
          );
        }
        const id = newId('whk', unit.now);
        const secret = `whsec_${randomBytes(24).toString('base64url')}`;
        await unit.db
          .insertInto('webhook_endpoints')
          .values({
            id,
            org_id: unit.orgId,
            url: input.url,
            secret,
            event_types_json: toJson(input.eventTypes),
            description: input.description ?? null,
            created_at: unit.now,
            updated_at: unit.now,
          })
          .execute();
        return { id, url: input.url, eventTypes: input.eventTypes, secret };
      },
      {
        onUniqueViolation: async (violation) => {
          if (
            !violates(
              violation,
              'webhook_endpoints_url_key',
              'webhook_endpoints.org_id, webhook_endpoints.url',
            )
          )
            throw new Error(`unexpected unique violation: ${violation.constraint}`);
          const existing = await deps.store.db
            .selectFrom('webhook_endpoints')
            .select('id')
            .where('org_id', '=', actor.orgId)
            .where('url', '=', input.url)
            .executeTakeFirst();
          return refuse(
            duplicate(
              'webhook',
              existing?.id ?? input.url,
              `A webhook for ${input.url} is registered already.`,
            ),
          );
        },
      },
    );
  },
});
