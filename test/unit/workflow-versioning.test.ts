import { describe, expect, it } from 'vitest';
import * as workflows from '../../workflows/index.js';
import { autoUpgradeWhenVersioned, pinnedWhenVersioned } from '../../workflows/versioning.js';

/** The option the SDK reads off a workflow function (`setWorkflowOptions` assigns it). */
function declared(fn: unknown): unknown {
  return (fn as { workflowDefinitionOptions?: unknown }).workflowDefinitionOptions;
}

describe('versioning behaviour per workflow type', () => {
  it('pins revisions and rollbacks to the build that started them', () => {
    expect(declared(workflows.revision)).toBe(pinnedWhenVersioned);
    expect(declared(workflows.rollback)).toBe(pinnedWhenVersioned);
  });

  it('lets the application and catalog entities auto-upgrade', () => {
    expect(declared(workflows.application)).toBe(autoUpgradeWhenVersioned);
    expect(declared(workflows.catalog)).toBe(autoUpgradeWhenVersioned);
  });

  it('declares a behaviour for every workflow type the bundle exports', () => {
    const undeclared = Object.entries(workflows)
      .filter(([, fn]) => typeof fn === 'function' && declared(fn) === undefined)
      .map(([name]) => name);
    expect(undeclared, 'add them to workflows/versioning.ts').toEqual([]);
  });
});
