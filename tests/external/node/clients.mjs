// Real storefront clients against a running Vitrine: Apollo Client 4 and urql 6.
// For each: a query, the `track` mutation (visitor id carried in X-Vitrine-Visitor), and
// automatic persisted queries (hash only -> PersistedQueryNotFound -> retry with the text ->
// later requests hash only). Every HTTP exchange is recorded so the test can check the wire.
// Usage: node clients.mjs GRAPHQL_URL PRODUCT_ID -> one JSON line of results.
import { createHash, randomUUID } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Client, fetchExchange, gql as ugql } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';

const [url, productId] = process.argv.slice(2);
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

function recorder() {
  const wire = [];
  let visitor = null;
  const fetchFn = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (visitor) headers.set('x-vitrine-visitor', visitor);
    const target = typeof input === 'string' ? input : input.url;
    const res = await fetch(target, { ...init, headers, signal: AbortSignal.timeout(15000) });
    visitor = res.headers.get('x-vitrine-visitor') ?? visitor;
    let sent = {};
    if (init.method === 'GET' || !init.body) {
      const u = new URL(target);
      sent = { query: u.searchParams.get('query'), extensions: u.searchParams.get('extensions') };
    } else {
      const body = JSON.parse(init.body);
      sent = { query: body.query ?? null, extensions: body.extensions ?? null };
    }
    const text = await res.clone().text();
    wire.push({
      method: init.method ?? 'GET',
      hasQuery: Boolean(sent.query),
      hasHash: JSON.stringify(sent.extensions ?? '').includes('sha256Hash'),
      status: res.status,
      contentType: res.headers.get('content-type'),
      notFound: text.includes('PersistedQueryNotFound'),
    });
    return res;
  };
  return { wire, fetchFn, visitor: () => visitor };
}

const PRODUCT = `query Product($id: ID!) { product(id: $id) { id name price { amount currency } brand { name } } }`;
const TRACK = `mutation Track($events: [EventInput!]!) {
  track(events: $events) { accepted rejected viewer { visitorId session { recentlyViewed { id } } } }
}`;
const VIEWER = `query Viewer { viewer { visitorId session { recentlyViewed { id } } } }`;
const viewed = () => [{ messageId: randomUUID(), name: 'Product Viewed', properties: { product_id: productId } }];

async function apollo() {
  const out = {};
  const plain = recorder();
  const client = new ApolloClient({ link: new HttpLink({ uri: url, fetch: plain.fetchFn }), cache: new InMemoryCache() });
  const q = await client.query({ query: gql(PRODUCT), variables: { id: productId }, fetchPolicy: 'network-only' });
  out.query = q.data.product;
  const m = await client.mutate({ mutation: gql(TRACK), variables: { events: viewed() } });
  out.track = m.data.track;
  const v = await client.query({ query: gql(VIEWER), fetchPolicy: 'network-only' });
  out.viewerAfter = v.data.viewer;
  out.visitorHeader = plain.visitor();
  out.plainWire = plain.wire;

  for (const useGETForHashedQueries of [false, true]) {
    const rec = recorder();
    const link = new PersistedQueryLink({ sha256, useGETForHashedQueries }).concat(new HttpLink({ uri: url, fetch: rec.fetchFn }));
    const apq = new ApolloClient({ link, cache: new InMemoryCache() });
    // A document unique to this run, so the first request cannot already be persisted.
    const doc = gql(`query ApqProduct${useGETForHashedQueries ? 'Get' : 'Post'}($id: ID!) { product(id: $id) { id name } }`);
    const first = await apq.query({ query: doc, variables: { id: productId }, fetchPolicy: 'network-only' });
    const second = await apq.query({ query: doc, variables: { id: productId }, fetchPolicy: 'network-only' });
    out[useGETForHashedQueries ? 'apqGet' : 'apqPost'] = { first: first.data.product, second: second.data.product, wire: rec.wire };
  }
  return out;
}

async function urql() {
  const out = {};
  const plain = recorder();
  const client = new Client({ url, exchanges: [fetchExchange], fetch: plain.fetchFn, requestPolicy: 'network-only' });
  const q = await client.query(ugql(PRODUCT), { id: productId }).toPromise();
  if (q.error) throw q.error;
  out.query = q.data.product;
  const m = await client.mutation(ugql(TRACK), { events: viewed() }).toPromise();
  if (m.error) throw m.error;
  out.track = m.data.track;
  out.visitorHeader = plain.visitor();

  const rec = recorder();
  const apq = new Client({
    url,
    exchanges: [persistedExchange({ preferGetForPersistedQueries: true, generateHash: async (query) => sha256(query) }), fetchExchange],
    fetch: rec.fetchFn,
    requestPolicy: 'network-only',
  });
  const doc = ugql(`query UrqlApqProduct($id: ID!) { product(id: $id) { id name } }`);
  const first = await apq.query(doc, { id: productId }).toPromise();
  const second = await apq.query(doc, { id: productId }).toPromise();
  if (first.error || second.error) throw first.error ?? second.error;
  out.apq = { first: first.data.product, second: second.data.product, wire: rec.wire };
  return out;
}

const results = {};
for (const [name, run] of [['apollo', apollo], ['urql', urql]]) {
  try {
    results[name] = await run();
  } catch (error) {
    results[name] = { error: String(error?.stack ?? error) };
  }
}
console.log(JSON.stringify(results));
