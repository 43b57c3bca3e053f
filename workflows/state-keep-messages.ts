/**
 * Messages of the state-keep workflow (`keep/<ns>/<app>`) and the report it sends its application
 * entity. The nouns they carry are plain data, shared with the client.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ComponentHealth } from '../model/step-status.js';

/** One object a check found drifted, and whether it was put back. */
export interface StateKeepRepair {
  cluster: string;
  /** `Deployment/extra`. */
  object: string;
  drift: 'missing' | 'changed';
  /** Where it changed (`spec.replicas`). */
  paths: string[];
  restored: boolean;
  /** Why it was not restored (repairs off, a conflict, a newer revision). */
  error?: string;
}

/** The last check, as `revela status` shows it. */
export interface StateKeepCheck {
  revision: string;
  checkedAt: string;
  /** The check's period: its result counts as live until `checkedAt + intervalMs`. */
  intervalMs: number;
  skipped?: string;
  health: ComponentHealth[];
  repairs: StateKeepRepair[];
  conflicts: string[];
  /** The check itself failed (a cluster unreachable): why. */
  error?: string;
}

export interface StateKeepView {
  /** Absent before the first check. */
  last?: StateKeepCheck;
  nextCheckAt?: string;
}

export const stateKeepQuery = defineQuery<StateKeepView>('stateKeep');
/** From the entity: a revision or rollback succeeded, check now. */
export const stateKeepWakeSignal = defineSignal('stateKeepWake');

/** To the entity, when a check restored something: it goes to the audit log. */
export interface StateKeepReport {
  revision: string;
  time: string;
  restored: StateKeepRepair[];
}
export const stateKeepReportSignal = defineSignal<[StateKeepReport]>('stateKeepReport');
