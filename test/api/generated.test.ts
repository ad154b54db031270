import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_DIR, generateApi, readCrds } from '../../scripts/gen-api.ts';

describe('api/generated/ follows crds/', () => {
  it('is up to date (run `npm run gen:api` after editing crds/)', async () => {
    const files = await generateApi(readCrds().map((c) => c.crd));
    for (const [name, text] of Object.entries(files)) {
      expect(readFileSync(join(GENERATED_DIR, name), 'utf8'), `api/generated/${name} is stale`).toBe(text);
    }
  });
});
