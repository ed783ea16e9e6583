// Hive Gateway's own CLI (same arguments), made to stop by itself like the other test servers:
// it exits when its stdin closes (the test ended) or after 5 minutes.
// Usage: node hive-gateway.mjs supergraph SUPERGRAPH_FILE --host 127.0.0.1 --port PORT
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 300_000).unref();
await import('./node_modules/@graphql-hive/gateway/dist/bin.js');
