#!/usr/bin/env node
// The `tfa` command (package.json "bin"): loads the TypeScript CLI through tsx, wherever it is run from.
require('tsx/cjs');
require('../client/cli.ts').main();
