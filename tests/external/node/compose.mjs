// Federation composition with Apollo's or The Guild's library.
// Usage: node compose.mjs apollo|guild OUT_FILE name=SOURCE [name=SOURCE ...]
//   SOURCE: an SDL file, or a subgraph URL (its SDL is read live from `_service { sdl }`).
// Prints one JSON line {ok, errors}; writes the supergraph SDL to OUT_FILE on success.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'graphql';

const [library, outFile, ...specs] = process.argv.slice(2);

async function sdlOf(source) {
  if (!/^https?:\/\//.test(source)) return readFileSync(source, 'utf8');
  const res = await fetch(source, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
    signal: AbortSignal.timeout(15000),
  });
  const body = await res.json();
  if (!body.data?._service?.sdl) throw new Error(`no _service.sdl from ${source}: ${JSON.stringify(body)}`);
  return body.data._service.sdl;
}

const services = [];
for (const spec of specs) {
  const [name, source] = spec.split(/=(.*)/s);
  const url = /^https?:\/\//.test(source) ? source : `http://${name}.invalid/graphql`;
  services.push({ name, url, typeDefs: parse(await sdlOf(source)) });
}

const { composeServices } =
  library === 'guild' ? await import('@theguild/federation-composition') : await import('@apollo/composition');
const result = composeServices(services);
const errors = (result.errors ?? []).map((e) => e.message);
if (errors.length === 0 && result.supergraphSdl) writeFileSync(outFile, result.supergraphSdl);
console.log(JSON.stringify({ ok: errors.length === 0 && Boolean(result.supergraphSdl), errors }));
