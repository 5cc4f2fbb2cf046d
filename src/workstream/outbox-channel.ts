/** The PostgreSQL NOTIFY channel that tells workers new outbox rows are committed (src/workstream/events.ts sends, src/worker/listen.ts listens). */
export const OUTBOX_CHANNEL = 'workstream_outbox';
