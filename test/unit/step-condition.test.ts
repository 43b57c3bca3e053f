import { describe, expect, it } from 'vitest';
import {
  parseStepCondition,
  evaluateStepCondition,
  type StepConditionStatus,
} from '../../model/step-condition.js';

const statuses: Record<string, StepConditionStatus> = {
  'deploy-hangzhou': { phase: 'failed', reason: 'Timeout' },
  approve: { phase: 'succeeded' },
  notify: { phase: 'skipped' },
  'deploy-beijing': { phase: 'failed', reason: 'Terminate' },
};

describe('step conditions', () => {
  it.each([
    ['always', true],
    ['status.approve.succeeded', true],
    ['status["deploy-hangzhou"].failed', true],
    ['status.deploy-hangzhou.timeout', true],
    ['status.deploy-beijing.timeout', false],
    ['status.notify.skipped', true],
    ['status.notify.finished', true],
    ['!status.approve.failed', true],
    ['status.approve.succeeded && status.notify.skipped', true],
    ['status.approve.failed || status.notify.succeeded', false],
    ['!(status.approve.failed || status.notify.succeeded) && always', true],
    ['status.approve.phase == "succeeded"', true],
    ["status['deploy-beijing'].reason != 'Timeout'", true],
    ['status.later.succeeded', false],
    ['!status.later.finished', true],
  ])('%s is %s', (expression, expected) => {
    expect(evaluateStepCondition(expression, statuses)).toBe(expected);
  });

  it('lists the steps a condition reads', () => {
    expect(
      parseStepCondition('status.a.failed || (status["b-c"].succeeded && !status.a.skipped)').steps,
    ).toEqual(['a', 'b-c']);
  });

  it.each([
    ['status.approve', 'invalid condition "status.approve" at position 14: expected "."'],
    [
      'status.approve.done',
      'invalid condition "status.approve.done" at position 15: expected one of failed, succeeded, skipped, timeout, finished, phase, reason after status.approve',
    ],
    [
      'status.approve.phase',
      'invalid condition "status.approve.phase" at position 0: a condition must be true or false; compare strings with == or !=',
    ],
    [
      'context.stepSessionID == "x"',
      'invalid condition "context.stepSessionID == "x"" at position 0: unknown name "context"; use always, inputs.<name> or status.<step>.<failed|succeeded|skipped|timeout|finished|phase|reason>',
    ],
    ['(always', 'invalid condition "(always" at position 7: expected ")"'],
    ['always &&', 'invalid condition "always &&" at position 9: the condition ends too early'],
  ])('refuses %s with the position of the problem', (expression, message) => {
    expect(() => parseStepCondition(expression)).toThrow(message);
  });
});
