/**
 * The data plane: what a worker pod (or an `id3 run` child process) does. runtime/ gives a task its context and the
 * exit-code contract; stages/ holds the six stages (plan, generate, finalize; prepare, train, evaluate), which put
 * together the maths — model/ (the U-Net), diffusion/ (schedules, the ID³ loss, Algorithm 2's samplers), planner/
 * (Algorithm 3), encoder/ (identity encoders), tf/ (backends and kernels) — with the I/O — storage/ (local and S3),
 * dataset/ (formats and layout), checkpoints/, tasks/ (completion markers) — and quality/ with reporting/ for the
 * reports. faces/ renders the procedural faces the bundled models were trained on. Importing this module loads
 * TensorFlow.js; the operator imports only storage/.
 */
export { runWorker, type StageRunner, type TaskContext } from './runtime/index.ts';
export { STAGE_RUNNERS } from './stages/index.ts';
