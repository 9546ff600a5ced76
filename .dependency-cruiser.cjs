/**
 * The layers of src/, as rules (docs/architecture.md, "Layers"):
 *   contract (the Backend contract, the filter AST and its in-memory semantics) at the bottom;
 *   adapters and the federation layer above it, neither importing the other;
 *   identities (src/auth/) beside the federation layer, knowing users only through the contract;
 *   resolvers, the MLflow API and the HTTP layer on top, reaching backends only through the federation layer.
 * test/architecture/layers.test.ts fails on any violation; `npx depcruise src` shows them.
 */
const CALLERS = '^src/(resolvers|mlflow-api|http)/'

module.exports = {
  forbidden: [
    {
      name: 'contract-at-the-bottom',
      comment: 'The contract imports only itself and the leaf modules (domain.ts, errors.ts).',
      severity: 'error',
      from: { path: '^src/contract/' },
      to: { path: '^src/', pathNot: '^src/(contract/|domain[.]ts$|errors[.]ts$)' },
    },
    {
      name: 'leaves-import-nothing',
      comment: 'domain.ts and errors.ts sit below the contract.',
      severity: 'error',
      from: { path: '^src/(domain|errors)[.]ts$' },
      to: { path: '^src/', pathNot: '^src/(domain|errors)[.]ts$' },
    },
    {
      name: 'adapters-know-only-the-contract',
      comment: 'An adapter knows its backend and the contract, never the layers that call it.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/(federation|live|resolvers|mlflow-api|http)/|^src/(server|context|main|cli)[.]ts$' },
    },
    {
      name: 'federation-knows-no-adapter',
      comment: 'The federation layer knows backends only through the contract.',
      severity: 'error',
      from: { path: '^src/(federation|live)/' },
      to: { path: '^src/(adapters|resolvers|mlflow-api|http)/' },
    },
    {
      name: 'auth-beside-the-federation',
      comment: 'Identities (src/auth/) know users through the contract (IdentityStore), never an adapter or a caller.',
      severity: 'error',
      from: { path: '^src/auth/' },
      to: { path: '^src/(adapters|resolvers|mlflow-api|http)/' },
    },
    {
      name: 'one-door',
      comment: 'Resolvers, the MLflow API and the HTTP layer reach backends only through the federation layer.',
      severity: 'error',
      from: { path: CALLERS },
      to: { path: '^src/(adapters|live)/' },
    },
    {
      name: 'no-cycles-through-the-contract',
      severity: 'error',
      from: { path: '^src/contract/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|test|bench)/' },
  },
}
