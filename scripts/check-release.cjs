#!/usr/bin/env node
// DeployBot's default `run_tests` command: a smoke check of a release of this repository
// (runs inside the release directory, which has no node_modules). Exit 0 = pass.
const fs = require('node:fs');

const problems = [];
for (const dir of ['core', 'workflows', 'activities', 'worker', 'client']) {
  if (!fs.existsSync(dir)) problems.push(`missing folder ${dir}/`);
}
try {
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
  for (const script of ['start', 'test'])
    if (!pkg.scripts?.[script]) problems.push(`package.json has no "${script}" script`);
} catch (error) {
  problems.push(`package.json is not readable JSON: ${error.message}`);
}
if (problems.length > 0) {
  console.error(`release check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('release check passed: layout and package.json look right');
