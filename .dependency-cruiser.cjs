// The layers of src/ and the rules `npm run lint` holds them to (docs/architecture.md draws them).
// Dependencies point down this list only; the base folders import core and nothing else of src;
// type-only imports count, and no module is part of an import cycle.
const LAYERS = ['cli', 'api', 'attack', 'integrity', 'medical', 'consortium', 'chain'];
const BASE = ['state-machine', 'ordering', 'store', 'runtime', 'fhir', 'sim'];
const any = (names) => `^src/(${names.join('|')})/`;

const layerRules = LAYERS.slice(1).map((layer, i) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} imports only what lies below it (not ${LAYERS.slice(0, i + 1).join(', ')})`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: any(LAYERS.slice(0, i + 1)) },
}));

const baseRules = BASE.map((base) => ({
  name: `base-${base}`,
  comment: `src/${base} imports core and itself only`,
  severity: 'error',
  from: { path: `^src/${base}/` },
  to: { path: '^src/', pathNot: `^src/(core|${base})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'no module imports itself through others (type-only imports included)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'api-one-door',
      comment:
        'src/api reaches the domain only through the medical facade, the integrity monitor and the error registry',
      severity: 'error',
      from: { path: '^src/api/', pathNot: '[.]test(-util)?[.]ts$' },
      to: {
        path: '^src/(core|state-machine|store|ordering|runtime|chain|consortium|medical)/',
        pathNot: '^src/(core/errors|medical/facade)[.]ts$',
      },
    },
    ...baseRules,
    {
      name: 'core-is-pure',
      comment: 'src/core imports nothing else of src',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'src-stands-alone',
      comment: 'src does not import the benchmarks, the tests, the scripts or the portal',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(bench|test|scripts|web)/' },
    },
    {
      name: 'portal-uses-http',
      comment: 'the portal talks to the HTTP API only: of src it imports the API contract types',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: '^src/api/contract/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^web/dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
