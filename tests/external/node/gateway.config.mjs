// Hive Gateway's configuration, found by its CLI in the working directory (hive-gateway.mjs
// runs the CLI here; docs/federation.md quotes this file). The visitor id travels both ways as
// a header, to and from the subgraph named `vitrine` only: the client's id goes to Vitrine, and
// the id Vitrine issues to a new visitor comes back to the client (one value, not a list, if a
// plan calls Vitrine more than once).
import { defineConfig } from '@graphql-hive/gateway';

const VISITOR = 'x-vitrine-visitor';

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    deduplicateHeaders: true,
    fromClientToSubgraphs: ({ request, subgraphName }) =>
      subgraphName === 'vitrine' ? { [VISITOR]: request.headers.get(VISITOR) } : {},
    fromSubgraphsToClient: ({ response, subgraphName }) =>
      subgraphName === 'vitrine' ? { [VISITOR]: response.headers.get(VISITOR) } : {},
  },
});
