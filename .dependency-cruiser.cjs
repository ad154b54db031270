/**
 * The rooms of the code and who may enter which (checked in CI by `npm run lint:imports`; README "Layout" explains
 * each room). Layers, from the bottom:
 *   api, random        pure data and the seeding contract: import nothing of ours but themselves (api's CEL and
 *                      schema libraries are data tools, not I/O)
 *   workflow           pure logic both control planes share: api only
 *   io                 the shared I/O without TensorFlow.js: storage, output layout, markers, checkpoints, HTTP
 *   worker             the data plane (TensorFlow.js, sharp)
 *   operator, runner   the two control planes: never the data plane
 *   tools              fixtures and the bundled models' workshop (the renderer)
 *   cli                the `id3` command: may reach everything, loading heavy rooms on use
 * scripts/, bench/ and test/ are entry points and harnesses: not checked for layering.
 */
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOMS = ['api', 'random', 'workflow', 'io', 'worker', 'tools', 'operator', 'runner', 'cli'];
const room = (names) => `^(${names.join('|')})/`;
const HEAVY = ['^node_modules/@tensorflow/', '^node_modules/sharp/', '^node_modules/@img/', '^node_modules/webgpu/'];

/** Folders of the rooms that own an index.ts: outside them, only their index.ts may be imported. */
function indexedFolders() {
  const out = [];
  const walk = (dir) => {
    if (existsSync(join(dir, 'index.ts'))) out.push(dir);
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (e !== 'node_modules' && e !== 'generated' && statSync(p).isDirectory()) walk(p);
    }
  };
  for (const r of ROOMS) if (existsSync(join(__dirname, r))) walk(r);
  return out.filter((d) => !d.includes('/testdata'));
}
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const INDEXED = indexedFolders().map((d) => escapeRegExp(d.split('\\').join('/')));

/**
 * Deep imports that are deliberate, each with its reason. Keep this list short: a deep import usually means the
 * folder's index.ts should export the name.
 */
const DEEP_IMPORT_EXCEPTIONS = [
  // The CLI loads a command's heavy rooms only when that command runs: importing a barrel would load them all.
  // (none today)
];

/**
 * No deep imports: another folder is imported through its index.ts (its public names), not its files. A folder's own
 * files, and its parent's (a subfolder is part of its parent), are inside. One rule per depth of the importing file,
 * so that each regular expression stays linear: $1 is the importing file's folder, $2 its parent.
 */
function deepImportRules() {
  const seg = '[^/]+';
  return [1, 2, 3, 4].map((depth) => {
    const parent = Array.from({ length: depth - 1 }, () => seg).join('/');
    const folder = depth === 1 ? `(${seg})` : `((${parent})/${seg})`;
    return {
      name: 'no-deep-imports',
      comment: "import another folder through its index.ts (the folder's public names), not its files.",
      severity: 'error',
      from: { path: `^${folder}/[^/]+$`, pathNot: '^(test|scripts|bench)/' },
      to: {
        path: `^(${INDEXED.join('|')})/[^/]+\\.ts$`,
        pathNot: ['/index\\.ts$', '^$1/', ...(depth > 1 ? ['^$2/[^/]+$'] : []), ...DEEP_IMPORT_EXCEPTIONS],
      },
    };
  });
}

module.exports = {
  forbidden: [
    {
      name: 'pure-rooms-stay-pure',
      comment: 'api and random are data and pure functions: they import nothing of ours but themselves.',
      severity: 'error',
      from: { path: '^(api|random)/' },
      to: { path: room(ROOMS.filter((r) => r !== 'api' && r !== 'random')) },
    },
    {
      name: 'api-imports-no-random',
      comment: 'the API is data: it does not draw random numbers.',
      severity: 'error',
      from: { path: '^api/' },
      to: { path: '^random/' },
    },
    {
      name: 'workflow-is-pure',
      comment: 'the workflow core both runners share is pure: it imports the api and nothing with I/O.',
      severity: 'error',
      from: { path: '^workflow/' },
      to: { path: room(ROOMS.filter((r) => r !== 'workflow' && r !== 'api')) },
    },
    {
      name: 'no-io-in-pure-rooms',
      comment: 'api, random and workflow do no I/O: no file system, network, processes or timers modules.',
      severity: 'error',
      from: { path: '^(api|random|workflow)/' },
      to: {
        dependencyTypes: ['core'],
        path: '^(node:)?(fs|fs/promises|http|https|net|child_process|worker_threads|timers|dgram|dns)$',
      },
    },
    {
      name: 'io-is-below-the-planes',
      comment: 'the shared I/O serves both planes and the data plane: it imports none of them, nor tools or the CLI.',
      severity: 'error',
      from: { path: '^io/' },
      to: { path: room(['worker', 'tools', 'operator', 'runner', 'cli']) },
    },
    {
      name: 'control-planes-never-import-the-data-plane',
      comment: 'the operator and id3 run reach workers through processes and storage, never through imports.',
      severity: 'error',
      from: { path: '^(operator|runner)/' },
      to: { path: room(['worker', 'tools', 'cli']) },
    },
    {
      name: 'control-planes-stay-apart',
      comment: 'the operator and the local runner share code through workflow/ and io/, not through each other.',
      severity: 'error',
      from: { path: '^(operator|runner)/' },
      to: { path: '^(operator|runner)/', pathNot: '^$1/' },
    },
    {
      name: 'no-tensorflow-or-sharp-below-the-data-plane',
      comment: 'TensorFlow.js, Dawn and sharp belong to the data plane: the operator image does not carry them.',
      severity: 'error',
      from: { path: '^(api|random|workflow|io|operator|runner)/' },
      to: { path: HEAVY },
    },
    {
      name: 'data-plane-below-tools-and-control',
      comment: 'the data plane knows neither the control planes, nor the CLI, nor the tools that make fixtures.',
      severity: 'error',
      from: { path: '^worker/' },
      to: { path: room(['operator', 'runner', 'cli', 'tools']) },
    },
    {
      name: 'tools-are-not-control',
      comment: 'tools make fixtures and bundled models; they do not drive the control planes.',
      severity: 'error',
      from: { path: '^tools/' },
      to: { path: room(['operator', 'runner', 'cli']) },
    },
    ...deepImportRules(),
    {
      name: 'no-cycles-between-folders',
      comment: 'folders depend on each other in one direction.',
      severity: 'error',
      scope: 'folder',
      from: { path: room(ROOMS) },
      to: { circular: true },
    },
    {
      name: 'no-production-code-imports-tests',
      severity: 'error',
      from: { path: room(ROOMS), pathNot: '\\.test\\.ts$' },
      to: { path: ['\\.test\\.ts$', '^test/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Tests and their harness cross rooms on purpose; production code may not import them (rule above).
    exclude: { path: ['^api/generated/', '\\.d\\.ts$', '\\.test\\.ts$', '^test/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
