#!/usr/bin/env node
// batchctl runs the repository's TypeScript directly through tsx (a devDependency, like
// everything this ops tool needs), so `npx batchctl` is always the code next to it: no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
