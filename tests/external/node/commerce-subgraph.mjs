// The sample commerce subgraph that owns Product (Apollo Server 5 + @apollo/subgraph), for
// Vitrine's contributing mode. Products p-00001..p-00040 share the test catalogue's ids
// (tests/support/appclient.py) but carry the commerce team's own names and prices, so a test
// sees which subgraph answered; p-09999 exists here only (Vitrine has not imported it).
// Usage: node commerce-subgraph.mjs PORT. Listens on 127.0.0.1 only; exits when its stdin
// closes (the test ended) or after 5 minutes.
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const id = (n) => `p-${String(n).padStart(5, '0')}`;
const PRODUCTS = new Map(
  [...Array.from({ length: 40 }, (_, i) => i + 1), 9999].map((n) => [
    id(n),
    {
      id: id(n),
      name: `Nordvik Trail ${n}`,
      price: { amount: 100 + n + 0.5, currencyCode: 'EUR' },
      brand: { name: 'Nordvik' },
      inStock: n % 10 !== 0,
    },
  ]),
);

const resolvers = {
  Query: {
    product: (_, { id }) => PRODUCTS.get(id) ?? null,
    products: (_, { first }) => [...PRODUCTS.values()].slice(0, Math.max(0, Math.min(first, 50))),
  },
  Product: { __resolveReference: ({ id }) => PRODUCTS.get(id) ?? null },
};

const typeDefs = parse(readFileSync(new URL('./commerce.graphql', import.meta.url), 'utf8'));
const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }) });
const port = Number(process.argv[2]);
const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port } });
console.log(`listening ${url}`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 300_000).unref();
