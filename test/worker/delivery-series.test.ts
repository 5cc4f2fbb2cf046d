/**
 * The delivery series a batch records once it has settled: attempts counted by destination kind
 * and outcome, each attempt's duration and each delivery's lag observed, abandoned ones left out.
 */
import { expect, it } from 'vitest';
import { registry } from '../../src/observability/metrics.js';
import { observeDeliveries } from '../../src/observability/observe.js';

/** The value of a series (a histogram's `_count` is a series of the histogram) with these labels. */
async function value(series: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(series.replace(/_count$/, ''));
  const values = (await metric?.get())?.values ?? [];
  const found = values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? series) === series &&
      Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return found?.value ?? 0;
}

it('counts a batch by destination kind and outcome, and observes each attempt', async () => {
  const count = (destination: string, outcome: string) =>
    value('workstream_outbox_deliveries_total', { destination, outcome });
  const durations = (destination: string) =>
    value('workstream_outbox_delivery_duration_seconds_count', { destination });
  const lags = (destination: string) =>
    value('workstream_outbox_delivery_lag_seconds_count', { destination });
  const before = {
    webhookDelivered: await count('webhook', 'delivered'),
    webhookFailed: await count('webhook', 'failed'),
    alertsDelivered: await count('alerts', 'delivered'),
    alertsRefused: await count('alerts', 'refused'),
    webhookDurations: await durations('webhook'),
    webhookLags: await lags('webhook'),
    alertsLags: await lags('alerts'),
  };
  const written = new Date(Date.now() - 2_000);
  const webhook = { destination: 'webhook:wh_1', created_at: written };
  const otherWebhook = { destination: 'webhook:wh_2', created_at: written };
  const alerts = { destination: 'alerts', created_at: written };
  const ok = { ok: true } as const;
  const failed = { ok: false, permanent: false, error: 'HTTP 503' } as const;
  const refused = { ok: false, permanent: true, error: 'HTTP 410' } as const;
  observeDeliveries([
    { row: webhook, result: ok, ms: 3 },
    { row: webhook, result: ok, ms: 4 },
    { row: otherWebhook, result: ok, ms: 5 },
    { row: webhook, result: failed, ms: 6 },
    { row: webhook, result: 'abandoned', ms: 0 },
    { row: alerts, result: ok, ms: 1 },
    { row: alerts, result: refused, ms: 1 },
    { row: webhook, result: ok, ms: 2 },
  ]);
  expect(await count('webhook', 'delivered')).toBe(before.webhookDelivered + 4);
  expect(await count('webhook', 'failed')).toBe(before.webhookFailed + 1);
  expect(await count('alerts', 'delivered')).toBe(before.alertsDelivered + 1);
  expect(await count('alerts', 'refused')).toBe(before.alertsRefused + 1);
  // Every attempt has its duration; only a delivery has a lag.
  expect(await durations('webhook')).toBe(before.webhookDurations + 5);
  expect(await lags('webhook')).toBe(before.webhookLags + 4);
  expect(await lags('alerts')).toBe(before.alertsLags + 1);
});
