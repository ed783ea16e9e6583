// Segment's and RudderStack's Node libraries, unchanged but for the host and the write key,
// sending identify, track, page (and an event outside Vitrine's vocabulary) to a running Vitrine.
// Usage: node segment_clients.mjs BASE_URL SERVER_WRITE_KEY -> one JSON line: what each reported.
import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';

const [host, writeKey] = process.argv.slice(2);

async function segment() {
  const errors = [];
  const responses = [];
  // flushAt 4 and a long interval: the four calls below go out as one batch, when it is full.
  const analytics = new Analytics({ writeKey, host, flushAt: 4, flushInterval: 60000, maxRetries: 1 });
  analytics.on('error', (err) => errors.push(String(err.reason ?? err.code ?? err)));
  analytics.on('http_response', (res) => responses.push(res.status));
  const userId = 'node-segment-1';
  analytics.identify({ userId, traits: { email: 'node-segment-1@example.com', plan: 'team' } });
  analytics.track({ userId, event: 'Product Viewed', properties: { product_id: 'p-00005' } });
  analytics.page({ userId, name: 'Docs', properties: { path: '/docs' } });
  analytics.track({ userId, event: 'Webinar Joined', properties: { webinar: 'spring' } });
  await analytics.closeAndFlush({ timeout: 30000 });
  return { errors, responses };
}

async function rudderstack() {
  const errors = [];
  const client = new RudderAnalytics(writeKey, {
    dataPlaneUrl: host,
    flushAt: 10,
    flushInterval: 60000,
    retryCount: 1,
    logLevel: 'error',
    errorHandler: (err) => errors.push(String(err.message ?? err)),
  });
  const userId = 'node-rudder-1';
  const sent = (err) => err && errors.push(String(err.message ?? err));
  client.identify({ userId, traits: { email: 'node-rudder-1@example.com', plan: 'solo' } }, sent);
  client.track({ userId, event: 'Product Shared', properties: { product_id: 'p-00006' } }, sent);
  client.page({ userId, name: 'Blog', properties: { path: '/blog' } }, sent);
  await client.flush();
  return { errors };
}

const result = { segment: await segment(), rudderstack: await rudderstack() };
// Exit once the line is written: a library timer left behind must not hold the process.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
