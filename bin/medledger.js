#!/usr/bin/env node
// The package's executable. Runs the TypeScript sources directly (Node.js ≥ 24 strips types).
import { main } from '../src/cli/main.ts';

await main(process.argv);
