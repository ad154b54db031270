#!/usr/bin/env node
// The `id3` command. The TypeScript sources are the program: tsx compiles them on load, so there is no build step
// that could fall out of date between `git pull` and `id3 run`.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
