import type { Application } from '../../model/application.js';
import type { BuiltinStepContext } from '../../model/builtin-steps.js';

/** One run of a KubeVela built-in step, its parameters checked and defaulted (`prepareBuiltinStep`). */
export interface BuiltinStepInput {
  type: string;
  parameters: Record<string, unknown>;
  context: BuiltinStepContext;
  /** The writer's fence (docs/fencing.md), for the deletes of clean-jobs. */
  fence?: number;
  /** webhook without `data` posts the application. */
  application?: Application;
}

/** What a step produced: `scope` is what its outputs' `valueFrom` read; `message` is shown in its status. */
export interface BuiltinStepResult {
  scope: Record<string, unknown>;
  message?: string;
}
