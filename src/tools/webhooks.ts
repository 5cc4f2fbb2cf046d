/** Webhook tools: where the worker delivers the organisation's events. */
import { COMMANDS } from '../workstream/commands.js';
import { defineTool } from './define.js';

export const registerWebhook = defineTool({
  name: 'register_webhook',
  summary: 'Register an HTTPS endpoint for the organisation’s events; the signing secret is shown once.',
  title: 'Register a webhook',
  toolset: 'webhooks',
  description:
    'Register an HTTPS endpoint to receive the organisation’s events (all, or the event types given, e.g. pursuit.won, ' +
    'pursuit.*). Returns a signing secret shown only once: the receiver verifies the X-Workstream-Signature header with it. ' +
    'Needs the admin role; others are refused with FORBIDDEN. Only public https:// URLs: loopback, private, link-local ' +
    'and metadata addresses are refused with VALIDATION. Refused with DUPLICATE (naming the endpoint) when the URL is ' +
    'registered already, so a repeat never shows the secret again.',
  hints: { destructive: false, idempotent: false },
  command: COMMANDS.registerWebhook,
  render: (hook) =>
    `Webhook ${hook.id} registered for ${hook.url} (events: ${hook.eventTypes.join(', ')}). Signing secret, shown once: ${hook.secret}`,
});

export const WEBHOOK_TOOLS = [registerWebhook];
