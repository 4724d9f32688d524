#!/usr/bin/env node
// Runs the compiled CLI (dist/); compiles it first when a source is newer than the build.
require('../scripts/build.js').ensureBuilt();
process.setSourceMapsEnabled(true);
require('../dist/cli/main.js');
