/** Webhook tools: where the worker delivers the organisation's events. */
import { COMMANDS } from '../workstream/commands.js';
import { defineTool } from './define.js';

export const registerWebhook = defineTool({
  name: 'register_webhook',
  summary: 'Register an HTTPS endpoint for the organisation’s events; the signing secret is shown once.',
  title: 'Register a webhook',
  toolset: 'webhooks',
  description:
    "Register an HTTPS endpoint for the organisation's events (all, or types such as pursuit.won, pursuit.*). Admins only; public https:// URLs only. The signing secret (X-Workstream-Signature) is shown once; DUPLICATE if registered already.",
  hints: { destructive: false, idempotent: false },
  command: COMMANDS.registerWebhook,
  render: (hook) =>
    `Webhook ${hook.id} registered for ${hook.url} (events: ${hook.eventTypes.join(', ')}). Signing secret, shown once: ${hook.secret}`,
});

export const WEBHOOK_TOOLS = [registerWebhook];
