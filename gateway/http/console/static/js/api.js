// The console's only back end: the admin GraphQL API, with the key from sessionStorage.

const KEY_STORAGE = "vitrine.console.key";
export const ENDPOINT = new URL("../admin/graphql", document.baseURI).pathname;

export const session = {
  get key() { return sessionStorage.getItem(KEY_STORAGE); },
  set key(value) {
    if (value) sessionStorage.setItem(KEY_STORAGE, value);
    else sessionStorage.removeItem(KEY_STORAGE);
  },
};

/** A GraphQL or HTTP failure, with the server's message and code (UNAUTHENTICATED, FORBIDDEN...). */
export class ApiError extends Error {
  constructor(message, { status = 200, code = null, path = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.path = path;
  }
}

let onUnauthenticated = () => {};
export function whenSignedOut(callback) { onUnauthenticated = callback; }

/** Run a GraphQL operation; resolves to `data` or throws ApiError with the first error's message. */
export async function gql(query, variables = {}, key = session.key) {
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${key || ""}` },
      body: JSON.stringify({ query, variables }),
      credentials: "omit",
    });
  } catch (err) {
    throw new ApiError(`The gateway did not answer (${err.message}). Check your connection and try again.`, { status: 0 });
  }
  let body = null;
  try { body = await response.json(); } catch { /* not JSON: reported below */ }
  const error = body && Array.isArray(body.errors) && body.errors[0];
  if (response.status === 401) {
    const failure = new ApiError(error ? error.message : "Your key was not accepted.", { status: 401, code: "UNAUTHENTICATED" });
    if (key === session.key) onUnauthenticated(failure);
    throw failure;
  }
  if (error) {
    const code = error.extensions && error.extensions.code;
    throw new ApiError(error.message, { status: response.status, code, path: error.path || null });
  }
  if (!response.ok || !body) throw new ApiError(`The gateway answered HTTP ${response.status}.`, { status: response.status });
  return body.data;
}

export const SAVE_MUTATION = {
  slots: "saveSlot",
  variants: "saveVariant",
  audiences: "saveAudience",
  experiments: "saveExperiment",
};

/** Save a definition; resolves to {ok, problems}. */
export async function saveDefinition(kind, definition) {
  const name = SAVE_MUTATION[kind];
  const data = await gql(`mutation($d: JSON!) { ${name}(definition: $d) { ok problems { path message } } }`, { d: definition });
  return data[name];
}

export async function deleteDefinition(kind, key) {
  const data = await gql("mutation($k: DefinitionKind!, $key: String!) { deleteDefinition(kind: $k, key: $key) { ok problems { path message } } }",
    { k: kind.toUpperCase(), key });
  return data.deleteDefinition;
}

export async function workspace() {
  const data = await gql("{ workspace { slots variants audiences experiments } }");
  return data.workspace;
}
