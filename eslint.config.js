// Lint guards what review misses: determinism of workflow code and purity of core/ (design room rules).
const tseslint = require('typescript-eslint');
const { builtinModules } = require('node:module');

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
const sideEffectLibraries = [
  'openai',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  'fastify',
  'js-tiktoken',
];
const sandboxPaths = [...nodeBuiltins, ...sideEffectLibraries].map((name) => ({
  name,
  message: 'workflows/, core/ and agents/ run in the replayed workflow sandbox: move I/O into an activity.',
}));

// Rooms (design.md): core <- agents <- workflows/activities <- worker/client/scripts; product code never imports tests or benches.
const ROOMS_BELOW = {
  core: ['agents', 'workflows', 'activities', 'codec', 'worker', 'client', 'scripts'],
  agents: ['workflows', 'activities', 'codec', 'worker', 'client', 'scripts'],
  workflows: ['codec', 'worker', 'client', 'scripts'],
  // The payload codec (Node crypto) that worker and clients share; it sees only core/.
  codec: ['agents', 'workflows', 'activities', 'worker', 'client', 'scripts'],
  activities: ['worker', 'client', 'scripts'],
  worker: ['client', 'scripts'],
  client: ['worker', 'scripts'],
  scripts: [],
};
// One module across: worker/ connects through client/connect.ts, where every connection to Temporal is made.
const ALLOWED_ACROSS = { worker: ['../client/connect'] };
function roomPatterns(room) {
  const forbidden = [...ROOMS_BELOW[room], 'test', 'bench'];
  const allowed = ALLOWED_ACROSS[room] ?? [];
  // A folder's bare name would exclude the folder itself, and gitignore-style patterns cannot re-include a file under it.
  const bare = (other) => (allowed.some((file) => file.startsWith(`../${other}/`)) ? [] : [`../${other}`]);
  const rooms = forbidden.flatMap((other) => [
    ...bare(other),
    `../${other}/**`,
    `../../${other}`,
    `../../${other}/**`,
    `../../../${other}/**`,
  ]);
  return [
    {
      group: [...rooms, ...allowed.map((file) => `!${file}`)],
      message: `Imports go one way (core <- agents <- workflows/activities <- worker/client/scripts) and product code never imports tests: ${room}/ may not import this. Move the shared piece down.`,
    },
  ];
}
const tokenizerPattern = {
  group: ['**/core/model-input', '**/core/tokens', 'js-tiktoken', 'js-tiktoken/*'],
  message:
    'The tokenizer stays out of the sandbox: render with core/model-input-render and the edit count planModelInput returns.',
};
const sandboxRooms = ['core', 'agents', 'workflows'];
const roomRules = Object.keys(ROOMS_BELOW).map((room) => ({
  files: [`${room}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: sandboxRooms.includes(room) ? sandboxPaths : [],
        patterns: [...roomPatterns(room), ...(room === 'workflows' ? [tokenizerPattern] : [])],
      },
    ],
  },
}));

module.exports = tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'coverage/**', '**/*.cjs', 'eslint.config.js', 'jest.config.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read arbitrary JSON bodies from real HTTP servers.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Workflow code is replayed: no I/O, no Node APIs, no environment.
    files: ['workflows/**/*.ts', 'core/**/*.ts', 'agents/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Read configuration in worker/ or client/ and pass it in.' },
      ],
    },
  },
  // Each room's imports; workflows/, core/ and agents/ also run in the sandbox (no Node APIs, no tokenizer in workflows/).
  ...roomRules,
  {
    // core/ is pure: clock and randomness come in as arguments (the workflow sandbox makes them replay-safe there).
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'core/ is pure: take the time as an argument.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'core/ is pure: take the time as an argument.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'core/ is pure: take randomness as an argument.',
        },
        { selector: 'CallExpression[callee.name=/^set(Timeout|Interval)$/]', message: 'core/ is pure: no timers.' },
      ],
    },
  },
);
