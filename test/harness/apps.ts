import type { Application } from '../../model/application.js';
import type { WorkflowStep } from '../../model/workflow.js';

export interface AppSpec {
  readonly name: string;
  readonly namespace: string;
  /** name → image; every component is a `webservice`. */
  readonly components: Readonly<Record<string, string>>;
  readonly steps?: WorkflowStep[];
  readonly mode?: { steps?: 'StepByStep' | 'DAG'; subSteps?: 'StepByStep' | 'DAG' };
  readonly policies?: Application['spec']['policies'];
  readonly publishVersion?: string;
}

/** A small application for engine tests: webservices on the local cluster unless steps say otherwise. */
export function testApp(spec: AppSpec): Application {
  const workflow = spec.steps ? { steps: spec.steps, ...(spec.mode ? { mode: spec.mode } : {}) } : undefined;
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      ...(spec.publishVersion ? { annotations: { 'app.oam.dev/publishVersion': spec.publishVersion } } : {}),
    },
    spec: {
      components: Object.entries(spec.components).map(([name, image]) => ({
        name,
        type: 'webservice',
        properties: { image },
      })),
      ...(spec.policies ? { policies: spec.policies } : {}),
      ...(workflow ? { workflow } : {}),
    },
  };
}

/** An `apply-component` step for one component on the local cluster. */
export function applyComponent(component: string, extra: Partial<WorkflowStep> = {}): WorkflowStep {
  return { name: `apply-${component}`, type: 'apply-component', properties: { component }, ...extra };
}
