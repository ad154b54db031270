/**
 * Runs the model's numeric cases on one backend and prints `{ backend, cases }` as the last line of stdout.
 * Usage: node --import tsx test/model/numeric/child.ts <backend>
 * The webgpu test starts it with the software Vulkan driver in its environment (VK_ICD_FILENAMES, LD_LIBRARY_PATH),
 * which must be there before dawn.node loads, hence a separate process.
 */
import { parseBackendRequest, selectBackend } from '../../../worker/tf/index.ts';
import { runCases } from './cases.ts';

const choice = await selectBackend({ prefer: parseBackendRequest(process.argv[2] ?? 'webgpu') });
const cases = await runCases();
process.stdout.write(`\n${JSON.stringify({ backend: choice.name, cases })}\n`);
// Dawn keeps its device alive; exit rather than wait for it.
process.exit(0);
