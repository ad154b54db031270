/**
 * The stages a worker runs, one module each: plan, generate and finalize (SyntheticDatasetJob); prepare, train and
 * evaluate (ID3TrainingJob). Each is a StageRunner: it reads its task from the context, writes its outputs, then its
 * completion marker, and stops cooperatively (state saved) when the context's signal fires.
 */
import type { Stage } from '../../api/index.ts';
import type { StageRunner } from '../runtime/index.ts';
import { evaluate } from './evaluate.ts';
import { finalize } from './finalize.ts';
import { generate } from './generate.ts';
import { plan } from './plan.ts';
import { prepare } from './prepare.ts';
import { train } from './train.ts';

export const STAGE_RUNNERS: Record<Stage, StageRunner> = { plan, generate, finalize, prepare, train, evaluate };
