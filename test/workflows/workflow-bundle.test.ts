import fs from 'node:fs';
import { workflowBundlePath } from '../support/test-server';

/** The module ids webpack's bundle lists, one `/***\/ "<id>"` header per module (e.g. `./workflows/agent.ts`). */
function bundledModules(code: string): string[] {
  return [...code.matchAll(/^\/\*{3}\/ "([^"]+)"/gm)].map((match) => match[1]!);
}

test('the workflow bundle leaves the tokenizer out: the sandbox would load its megabytes again for every run', () => {
  const modules = bundledModules(fs.readFileSync(workflowBundlePath(), 'utf8'));
  // The list is read right: it holds the workflow entry and a library the workflows really use.
  expect(modules).toEqual(expect.arrayContaining(['./workflows/agent.ts', './workflows/index.ts']));
  expect(modules.some((id) => id.includes('node_modules/zod/'))).toBe(true);
  expect(modules.filter((id) => /js-tiktoken|core\/tokens\.ts/.test(id))).toEqual([]);
});

test('every core/ and agents/ module in the workflow bundle is preloaded, so no run builds its own copy of their schemas', () => {
  const bundled = bundledModules(fs.readFileSync(workflowBundlePath(), 'utf8'))
    .filter((id) => /^\.\/(core|agents)\//.test(id))
    .map((id) => id.replace(/^\.\//, '').replace(/(\/index)?\.ts$/, ''));
  const source = fs.readFileSync(require.resolve('../../workflows/shared-modules'), 'utf8');
  const preloaded = [...source.matchAll(/^import \* as \w+ from '\.\.\/([^']+)';$/gm)].map((match) => match[1]!);
  expect(bundled.length).toBeGreaterThan(30);
  expect(preloaded.sort()).toEqual(bundled.sort());
});
