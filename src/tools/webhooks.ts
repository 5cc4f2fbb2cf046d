/** Webhook tools: where the worker delivers the organisation's events. */
import { COMMANDS } from '../workstream/commands.js';
import { defineTool } from './define.js';

export const registerWebhook = defineTool({
  name: 'register_webhook',
  summary: 'Register an HTTPS endpoint for the organisation’s events; the signing secret is shown once.',
  title: 'Register a webhook',
  toolset: 'webhooks',
  description:
    "Admins: register a public https:// endpoint for the org's events (all, or types such as pursuit.*); its signing secret is shown once.",
  hints: { destructive: false, idempotent: false },
  command: COMMANDS.registerWebhook,
  render: (hook) =>
    `Webhook ${hook.id} registered for ${hook.url} (events: ${hook.eventTypes.join(', ')}). Signing secret, shown once: ${hook.secret}`,
});

export const WEBHOOK_TOOLS = [registerWebhook];
