/**
 * Running a render that asks for template evaluations: the render is a generator that yields
 * each template it needs evaluated and is resumed with the result. `runRender` takes every answer
 * the JSONata fast path gives on the spot, so a render whose templates all have a fast path (the
 * built-ins) runs to its end synchronously, without a promise and a microtask hop per template,
 * trait and component. The first template only CUE or `jsonata` can answer turns the rest of the
 * run asynchronous.
 *
 * Not workflow-safe (JSONata, ajv): call from activities.
 */
import { evaluateTemplateNow, type TemplatedDefinition } from './schematic.js';

/** One template a render needs evaluated, as `evaluateTemplateNow` takes it. */
export interface TemplateCall {
  readonly definition: TemplatedDefinition;
  readonly input: { parameter: Record<string, unknown>; context: Record<string, unknown> };
  /** Where the properties are written, for CUE errors about a property. */
  readonly properties?: { object: string; path: string };
}

/** A render: yields template calls, is resumed with their results, returns what it rendered. */
export type RenderSteps<T> = Generator<TemplateCall, T, unknown>;

/**
 * Runs `steps` to the end: synchronously while every template answers on the spot, otherwise the
 * returned promise settles when the render ends. A render's errors (and its templates') are
 * thrown from here or reject the promise, as they would from an async render.
 */
export function runRender<T>(steps: RenderSteps<T>): T | Promise<T> {
  return continueRender(steps, steps.next());
}

function continueRender<T>(steps: RenderSteps<T>, first: IteratorResult<TemplateCall, T>): T | Promise<T> {
  let next = first;
  while (next.done !== true) {
    const call = next.value;
    const result = evaluateTemplateNow(call.definition, call.input, call.properties);
    if (result instanceof Promise) {
      return result.then((value: unknown) => continueRender(steps, steps.next(value)));
    }
    next = steps.next(result);
  }
  return next.value;
}
