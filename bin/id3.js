#!/usr/bin/env node
// The `id3` command. The TypeScript sources are the program: tsx compiles them on load, so there is no build step
// that could fall out of date between `git pull` and `id3 run`.
import { register } from 'tsx/esm/api';

// The pinned AWS SDK warns on every start that its releases after January 2027 need Node 22; the images run Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
