// The sample products subgraph (Apollo Server 5 + @apollo/subgraph), in-memory data keyed by
// ids of the test catalogue (tests/support/appclient.py). Usage: node products-subgraph.mjs PORT
// Listens on 127.0.0.1 only; exits when its stdin closes (the test ended) or after 5 minutes.
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const REVIEWS = {
  'p-00001': { rating: 4.1, reviewsCount: 12 },
  'p-00002': { rating: 4.6, reviewsCount: 31 },
  'p-00004': { rating: 4.8, reviewsCount: 7 },
  'p-00005': { rating: 3.2, reviewsCount: 4 },
};
const product = (id) => ({ id, rating: REVIEWS[id]?.rating ?? null, reviewsCount: REVIEWS[id]?.reviewsCount ?? 0 });

const resolvers = {
  Query: {
    topRated: (_, { first }) =>
      Object.keys(REVIEWS)
        .sort((a, b) => REVIEWS[b].rating - REVIEWS[a].rating)
        .slice(0, Math.max(0, Math.min(first, 50)))
        .map(product),
  },
  Product: { __resolveReference: ({ id }) => product(id) },
};

const typeDefs = parse(readFileSync(new URL('./products.graphql', import.meta.url), 'utf8'));
const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }) });
const port = Number(process.argv[2]);
const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port } });
console.log(`listening ${url}`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 300_000).unref();
