import fs from 'node:fs';
import { workflowBundlePath } from '../support/test-server';

test('the workflow bundle leaves the tokenizer out: the sandbox would load its megabytes again for every run', () => {
  const code = fs.readFileSync(workflowBundlePath(), 'utf8');
  expect(code).toContain('agentWorkflow');
  expect(code).not.toContain('node_modules/js-tiktoken');
});
