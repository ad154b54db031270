import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStore } from '../../io/storage/index.ts';
import { storeContract } from './contract.ts';
import { datasetContract } from './dataset-contract.ts';

let n = 0;
const local = {
  name: 'local disk',
  // Alternate the two spellings of a local root, so both are exercised by every test of the contract.
  freshUri: () => {
    const dir = mkdtempSync(join(tmpdir(), 'id3-store-'));
    return n++ % 2 === 0 ? dir : pathToFileURL(dir).href;
  },
  open: (uri: string) => openStore(uri),
  childEnv: {},
  multipartEtags: false,
};

storeContract(local);
datasetContract(local);
