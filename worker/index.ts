/**
 * The data plane: what a worker pod (or an `id3 run` child process) does. runtime/ gives a task its context (job,
 * storage, logger, metrics, a cooperative stop, progress reports) and turns its outcome into an exit code; stages/
 * holds the six stages (plan, generate, finalize; prepare, train, evaluate), which put together the maths — model/
 * (the U-Net), diffusion/ (schedules, the ID³ loss, Algorithm 2's samplers), planner/ (Algorithm 3), encoder/
 * (identity encoders), recognition/ (face-recognition training), tf/ (backends and kernels) — with dataset/ (the
 * formats) and quality/ with reporting/ for the reports. Storage, the output layout, markers and checkpoints are the
 * shared io/ room's; random numbers come from random/. Importing this module loads TensorFlow.js and sharp: neither
 * control plane imports anything from worker/ (.dependency-cruiser.cjs enforces it; they start workers as processes).
 */
export { runWorker, type StageRunner, type TaskContext } from './runtime/index.ts';
export { STAGE_RUNNERS } from './stages/index.ts';
