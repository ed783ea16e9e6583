// Starts the vendored GraphiQL (loaded just before this file) for the endpoint the page names.
// No inline script: the page's Content-Security-Policy allows scripts from this origin only.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var endpoint = root.getAttribute("data-endpoint");
  var admin = root.getAttribute("data-admin") === "true";
  var intro = admin
    ? "# Vitrine admin API. Put your key in the Headers tab below:\n" +
      '#   {"Authorization": "Bearer vk_..."}\n#\n# Then run (Ctrl-Enter):\n{ me { keyId name role } }\n'
    : '# Vitrine storefront API. Run with Ctrl-Enter.\n{ slot(key: "home-hero") { __typename } }\n';
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var props = {
    fetcher: fetcher,
    defaultQuery: intro,
    defaultEditorToolsVisibility: admin ? "headers" : true,
    isHeadersEditorEnabled: true,
    // An admin key must not outlive the tab in localStorage.
    shouldPersistHeaders: !admin,
  };
  if (admin) props.defaultHeaders = '{\n  "Authorization": "Bearer "\n}';
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
