// A federation gateway (@apollo/gateway on @apollo/server 5) over a composed supergraph.
// Usage: node apollo-gateway.mjs SUPERGRAPH_FILE PORT. The visitor id travels both ways as a
// header, to and from the subgraph named `vitrine` only (docs/federation.md quotes this file).
// Listens on 127.0.0.1 only; exits when its stdin closes or after 5 minutes.
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';

const [file, port] = process.argv.slice(2);

const VISITOR = 'x-vitrine-visitor';

// The client's visitor id goes to Vitrine; the id Vitrine issues to a new visitor is kept
// (the first one, if a plan calls Vitrine more than once) for the client's response.
class VitrineDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    if (context.visitor) request.http.headers.set(VISITOR, context.visitor);
  }
  didReceiveResponse({ response, context }) {
    const issued = response.http?.headers.get(VISITOR);
    if (issued && !context.issuedVisitor) context.issuedVisitor = issued;
    return response;
  }
}

// Hands the issued id back to the client.
const returnVisitor = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (contextValue.issuedVisitor) response.http.headers.set(VISITOR, contextValue.issuedVisitor);
      },
    };
  },
};

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(file, 'utf8'),
  buildService: ({ name, url }) =>
    name === 'vitrine' ? new VitrineDataSource({ url }) : new RemoteGraphQLDataSource({ url }),
});
const server = new ApolloServer({ gateway, plugins: [returnVisitor] });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: Number(port) },
  context: async ({ req }) => ({ visitor: req.headers[VISITOR] }),
});
console.log(`listening ${url}`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 300_000).unref();
