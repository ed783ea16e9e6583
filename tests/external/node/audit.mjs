// GraphQL-over-HTTP compliance: graphql-http's serverAudits against a running server.
// Usage: node audit.mjs URL   -> prints one JSON line {total, ok, warn, error, failures: [...]}
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const failures = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    let body = '';
    try {
      body = (await result.response?.text?.()) ?? '';
    } catch {}
    failures.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason, body: body.slice(0, 300) });
  }
}
console.log(JSON.stringify({ total: Object.values(counts).reduce((a, b) => a + b, 0), ...counts, failures }));
