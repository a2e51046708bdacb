/**
 * Stands in for `bowser` (a browser user-agent parser, 34 KB minified) in Lambda bundles (an esbuild alias in
 * bundling.ts). The SDK imports it lazily in its browser user-agent provider only, which reads
 * `window.navigator`; in Node that path never runs, but esbuild still ships the module as a chunk of every
 * function. The stub keeps the import resolvable and the bundles 34 KB smaller.
 */
export const parse = (): undefined => undefined;
export default { parse };
