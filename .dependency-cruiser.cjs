/**
 * The dependency rule (CONTRIBUTING.md, "How the parts fit"): dependencies run one way,
 *   cli -> prove -> explain -> driver -> transforms -> ecosystems -> patterns -> engine, shell, context -> images
 * (the public API, src/index.ts, sits beside the driver). The engine knows no ecosystem, no
 * transform and no command line; no module imports itself back. `npm test` runs this check.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: the parts can no longer be read, tested or loaded one at a time.',
      from: { path: '^(src|transforms)/' },
      to: { circular: true },
    },
    {
      name: 'core-knows-no-ecosystem',
      severity: 'error',
      comment: 'The engine, the shell reader, the build context and the image facts serve every ecosystem: they import no ecosystem, transform, driver, explain or CLI module.',
      from: { path: '^src/(engine|shell|context|images)/' },
      to: { path: '^(transforms/|src/(ecosystems|patterns|driver|cli|explain)/|src/index\\.ts$)' },
    },
    {
      name: 'patterns-know-no-ecosystem',
      severity: 'error',
      comment: 'The shared pattern mechanics (manifest first, cache mounts, ignore entries) serve every ecosystem: each ecosystem supplies its facts, so patterns import no ecosystem, transform, driver, explain or CLI module.',
      from: { path: '^src/patterns/' },
      to: { path: '^(transforms/|src/(ecosystems|driver|cli|explain|prove)/|src/index\\.ts$)' },
    },
    {
      name: 'images-are-data',
      severity: 'error',
      comment: 'Facts about base images are data: they import nothing of the project.',
      from: { path: '^src/images/' },
      to: { path: '^(src|transforms)/', pathNot: '^src/images/' },
    },
    {
      name: 'ecosystem-stays-in-its-lane',
      severity: 'error',
      comment: "An ecosystem's knowledge uses the core only: not another ecosystem, a transform, the driver, explain or the CLI.",
      from: { path: '^src/ecosystems/([^/]+)/' },
      to: { path: '^(transforms/|src/(driver|cli|explain)/|src/index\\.ts$|src/ecosystems/)', pathNot: '^src/ecosystems/$1/' },
    },
    {
      name: 'transforms-are-pure',
      severity: 'error',
      comment: 'Transforms are pure (text and context in, edits out): no driver, explain or CLI, and no file-system context.',
      from: { path: '^transforms/' },
      to: { path: '^(src/(driver|cli|explain)/|src/index\\.ts$|src/context/fs-context\\.ts$)' },
    },
    {
      name: 'driver-runs-what-it-is-given',
      severity: 'error',
      comment: 'The driver applies the transforms it is handed: it imports no transform, ecosystem, explain or CLI module.',
      from: { path: '^src/driver/' },
      to: { path: '^(transforms/|src/(ecosystems|cli|explain)/)' },
    },
    {
      name: 'prove-sits-on-top',
      severity: 'error',
      comment: '`cachefix prove` drives builders with everything below it (explain, the driver, the public API); only the CLI imports it.',
      from: { path: '^(src|transforms)/', pathNot: '^src/(cli|prove)/' },
      to: { path: '^src/prove/' },
    },
    {
      name: 'only-the-cli-reads-arguments',
      severity: 'error',
      comment: 'The command line sits on top: nothing else imports it.',
      from: { path: '^(src|transforms)/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
