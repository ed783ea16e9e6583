// A federation gateway (@apollo/gateway on @apollo/server 5) over a composed supergraph.
// Usage: node apollo-gateway.mjs SUPERGRAPH_FILE PORT. Forwards the visitor header to subgraphs.
// Listens on 127.0.0.1 only; exits when its stdin closes or after 5 minutes.
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';

const [file, port] = process.argv.slice(2);

class ForwardVisitor extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    const visitor = context.visitor;
    if (visitor) request.http.headers.set('x-vitrine-visitor', visitor);
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(file, 'utf8'),
  buildService: ({ url }) => new ForwardVisitor({ url }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: Number(port) },
  context: async ({ req }) => ({ visitor: req.headers['x-vitrine-visitor'] }),
});
console.log(`listening ${url}`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 300_000).unref();
