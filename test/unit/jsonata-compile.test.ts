import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import jsonata from 'jsonata';
import { describe, expect, it, vi } from 'vitest';
import { loadInputs } from '../../cli/load-inputs.js';
import { preflightDocuments } from '../../client/preflight.js';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import { compileJsonata } from '../../model/jsonata-compile.js';
import type * as JsonataEval from '../../model/jsonata-eval.js';
import { TEMPLATE_FUNCTIONS } from '../../model/template-functions.js';

/** Every (expression, input) that rendering evaluates while this file runs, as given. */
const recorded: { expression: string; input: unknown }[] = [];

vi.mock('../../model/jsonata-eval.js', async (importOriginal) => {
  const original = await importOriginal<typeof JsonataEval>();
  return {
    ...original,
    evaluateCompiled: (compiled: JsonataEval.CompiledExpression, input: unknown, ...rest: unknown[]) => {
      recorded.push({ expression: compiled.expression, input: structuredClone(input) });
      return (original.evaluateCompiled as (...args: unknown[]) => Promise<unknown>)(
        compiled,
        input,
        ...rest,
      );
    },
  };
});

const CORPUS = new URL('../fixtures/kubevela/', import.meta.url).pathname;

interface Outcome {
  value?: unknown;
  failed?: boolean;
}

async function viaJsonata(expression: string, input: unknown): Promise<Outcome> {
  try {
    const result: unknown = await jsonata(expression, { timeout: 2000, stack: 500 }).evaluate(
      input,
      TEMPLATE_FUNCTIONS,
    );
    return { value: result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as unknown) };
  } catch {
    return { failed: true };
  }
}

/** The fast path's outcome; `bailed` when it hands the expression back to jsonata. */
function viaFastPath(expression: string, input: unknown): Outcome & { bailed?: boolean } {
  const fast = compileJsonata(jsonata(expression).ast(), 2000);
  if (fast === undefined) return { bailed: true };
  try {
    return { value: fast.evaluate(input, TEMPLATE_FUNCTIONS) };
  } catch {
    return { bailed: true };
  }
}

async function expectSame(expression: string, input: unknown): Promise<'fast' | 'bailed'> {
  const frozen = structuredClone(input);
  const fast = viaFastPath(expression, input);
  expect(input, 'the fast path must not change its input').toEqual(frozen);
  const slow = await viaJsonata(expression, input);
  if (fast.bailed) return 'bailed';
  expect(
    slow.failed,
    `jsonata fails where the fast path succeeds: ${expression.slice(0, 80)}`,
  ).toBeUndefined();
  expect(fast.value).toEqual(slow.value);
  return 'fast';
}

/** The parts of a definition that hold JSONata, whatever its kind. */
interface WithExpressions {
  spec: {
    schematic?: { jsonata?: { template: string } };
    status?: { healthPolicy?: string; customStatus?: string };
  };
}

/** Every JSONata expression of the built-ins: templates, health policies, custom status. */
function builtinExpressions(): { name: string; expression: string; kind: string }[] {
  const catalog = loadBuiltinDefinitions();
  const sections = [
    catalog.componentDefinitions,
    catalog.traitDefinitions,
    catalog.policyDefinitions,
    catalog.workflowStepDefinitions,
  ] as unknown as Record<string, WithExpressions>[];
  const out: { name: string; expression: string; kind: string }[] = [];
  for (const section of sections) {
    for (const [name, definition] of Object.entries(section)) {
      const template = definition.spec.schematic?.jsonata?.template;
      if (template !== undefined) out.push({ name, expression: template, kind: 'template' });
      const status = definition.spec.status;
      if (status?.healthPolicy !== undefined)
        out.push({ name, expression: status.healthPolicy, kind: 'health' });
      if (status?.customStatus !== undefined)
        out.push({ name, expression: status.customStatus, kind: 'status' });
    }
  }
  return out;
}

/** Live objects for health and status expressions: rolling out, done, failed, empty. */
function liveInputs(): unknown[] {
  const statuses = [
    {},
    { replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3, observedGeneration: 2 },
    { replicas: 3, updatedReplicas: 1, availableReplicas: 2, readyReplicas: 2, observedGeneration: 1 },
    {
      replicas: 1,
      conditions: [
        { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' },
        { type: 'Available', status: 'True' },
      ],
      succeeded: 1,
      active: 0,
      numberReady: 2,
      desiredNumberScheduled: 2,
      currentReplicas: 3,
      loadBalancer: { ingress: [{ ip: '10.0.0.1' }] },
      phase: 'Bound',
    },
    { replicas: 2.5, updatedReplicas: 0.1, readyReplicas: 1 / 3, availableReplicas: -1 },
  ];
  return statuses.flatMap((status) => [
    { output: { metadata: { generation: 2 }, spec: { replicas: 3 }, status }, outputs: {}, parameter: {} },
    { output: { metadata: {}, spec: {}, status }, outputs: { svc: { status } }, parameter: { port: 80 } },
  ]);
}

async function renderCorpus(): Promise<void> {
  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml') && f !== 'clusters.yaml')
    .map((f) => join(CORPUS, f));
  for (const file of files) {
    await preflightDocuments(await loadInputs([file]), {
      readCatalog: () => Promise.resolve(loadBuiltinDefinitions()),
      clusters: [
        { name: 'local', labels: {} },
        { name: 'hangzhou-1', labels: { region: 'hangzhou' } },
        { name: 'beijing-1', labels: { region: 'beijing' } },
      ],
      assumeNamedClusters: true,
      reader: { read: () => Promise.resolve(undefined), list: () => Promise.resolve([]) },
      revision: (app) => `${app.metadata.name}-v1`,
    }).catch(() => undefined);
  }
}

/** Inputs derived from a recorded one: parameters dropped one at a time, and emptied. */
function variants(input: unknown): unknown[] {
  const { parameter, context } = input as { parameter?: Record<string, unknown>; context?: unknown };
  if (parameter === undefined) return [];
  return [
    { parameter: {}, context },
    ...Object.keys(parameter).map((key) => {
      const rest = { ...parameter };
      delete rest[key];
      return { parameter: rest, context };
    }),
  ];
}

describe('the compiled JSONata fast path', () => {
  it('compiles every expression of the built-in definitions', () => {
    const expressions = builtinExpressions();
    expect(expressions.length).toBeGreaterThanOrEqual(46);
    const fallbacks = expressions.filter(
      (e) => compileJsonata(jsonata(e.expression).ast(), 2000) === undefined,
    );
    expect(fallbacks.map((e) => `${e.name} ${e.kind}`)).toEqual([]);
  });

  it(
    'gives what jsonata gives for every template input of the KubeVela corpus, and variants of them',
    { timeout: 120_000 },
    async () => {
      await renderCorpus();
      expect(recorded.length).toBeGreaterThan(50);
      const seen = new Set<string>();
      const cases = recorded.flatMap(({ expression, input }) => [
        { expression, input },
        ...variants(input).map((v) => ({ expression, input: v })),
      ]);
      let fast = 0;
      let checked = 0;
      for (const { expression, input } of cases) {
        const key = `${expression}\u0000${JSON.stringify(input)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        checked++;
        if ((await expectSame(expression, input)) === 'fast') fast++;
      }
      console.log(
        `JSONata fast path: ${fast}/${checked} distinct template evaluations matched jsonata on the fast path`,
      );
      expect(fast).toBeGreaterThan(checked * 0.8);
    },
  );

  it('gives what jsonata gives for every health policy and custom status over live objects', async () => {
    let fast = 0;
    let checked = 0;
    for (const { expression, kind } of builtinExpressions()) {
      if (kind === 'template') continue;
      for (const input of liveInputs()) {
        checked++;
        if ((await expectSame(expression, input)) === 'fast') fast++;
      }
    }
    console.log(`JSONata fast path: ${fast}/${checked} status evaluations matched jsonata on the fast path`);
    expect(fast).toBeGreaterThan(checked * 0.9);
  });
});

/** Tricky corners of JSONata's semantics, each checked against jsonata itself. */
const EDGE_INPUT = {
  a: { b: [{ c: 1 }, { c: [2, 3] }, { d: 4 }], one: [{ c: 5 }], empty: [], nested: [[1, 2], [3]] },
  list: [3, 1, 2],
  words: ['b', 'a', 'c'],
  objs: [
    { k: 'x', v: 1 },
    { k: 'y', v: 2 },
    { k: 'x', v: 3 },
  ],
  s: '',
  zero: 0,
  f: 0.1 + 0.2,
  t: true,
  n: null,
  o: {},
};

const EDGE_EXPRESSIONS = [
  // singleton sequences, flattening, [] keeps arrays
  'a.one.c',
  'a.one[].c',
  'a.one.c[]',
  'a.b.c',
  'a.nested',
  'a.nested.$',
  '[a.nested]',
  'a.empty',
  'a.empty.x',
  '[a.b.c]',
  '[[1, 2], [3]]',
  '[1, [2, [3]]]',
  '$count(a.b.c)',
  // predicates: index, negative index, booleans, number lists
  'a.b[0]',
  'a.b[-1]',
  'a.b[5]',
  'list[0]',
  'list[-1]',
  'list[$ > 1]',
  'list[[0, 2]]',
  'a.b[c]',
  'a.b[c = 1]',
  'a.b.c[0]',
  '(a.b.c)[0]',
  'objs[k = "x"].v',
  // undefined in & and arithmetic, comparisons
  'missing & "x"',
  '"x" & missing',
  '1 + missing',
  'missing > 1',
  'f & ""',
  '$string(f)',
  '$string(a)',
  '$string({"x": 1.23456789012345678, "y": [true, null]})',
  '$string(o)',
  '$string(missing)',
  '"n=" & 10 & t & n',
  // boolean casting
  's ? "yes" : "no"',
  'zero ? "yes" : "no"',
  'o ? "yes" : "no"',
  'a.empty ? "yes" : "no"',
  '[0, 0] ? "yes" : "no"',
  '[0, 1] ? "yes" : "no"',
  'n ? "yes" : "no"',
  's or zero',
  'missing and true',
  't and "x"',
  '$not(s)',
  '$not(missing)',
  '$boolean(a.b)',
  // in, =
  '2 in list',
  '"x" in objs.k',
  'missing in list',
  '1 in 1',
  'a.one = [{"c": 5}]',
  'a.one[0] = {"c": 5}',
  'o = {}',
  'list = [3, 1, 2]',
  'missing = missing',
  // functions
  '$merge([{"a": 1}, missing, {"a": 2, "b": 3}])',
  '$merge(missing)',
  '$merge({"a": 1})',
  '$keys(objs)',
  '$keys(a)',
  '$keys("x")',
  '$count(missing)',
  '$count(5)',
  '$exists(missing)',
  '$exists(n)',
  '$sort(list)',
  '$sort(words)',
  '$sort(objs, function($l, $r) { $l.v < $r.v })',
  '$sort(objs, function($l, $r) { $l.k > $r.k })',
  '$reduce(list, function($acc, $v) { $acc + $v })',
  '$reduce(list, function($acc, $v, $i) { $append($acc, $i) }, [])',
  '$reduce(a.empty, function($acc, $v) { $acc + $v })',
  '$map(list, function($v, $i) { $v * $i })',
  '$map(list, function($v) { $v > 1 ? $v })',
  '$map(a.one, function($v) { $v })',
  '$filter(objs, function($v) { $v.v > 1 })',
  '$each(a, function($v, $k) { $k })',
  '$each({"b": 2, "a": 1, "1": 0}, function($v) { $v })',
  '$sift({"a": 1, "b": 0, "c": ""}, function($v) { $v })',
  '$sift({"a": 0}, function($v) { $v })',
  '$distinct([1, 1, {"a": 1}, {"a": 1}, [2], [2]])',
  '$distinct(objs.k)',
  '$lookup(objs, "v")',
  '$append(1, 2)',
  '$append([], missing)',
  '$append(missing, [1])',
  '$max(list)',
  '$max([])',
  '$sum(list)',
  '$join(words, "-")',
  '$lowercase("AbC")',
  '$reverse(list)',
  '$string()',
  '$keys()',
  // object constructors: grouping over sequences, undefined values, dynamic keys
  '{"a": missing, "b": 1}',
  'objs{k: v}',
  'objs.{k: v}',
  '$merge(objs.{k: v})',
  'a.b.{"c": c}',
  '{"k": objs.k}',
  '{$string(zero): 1}',
  'objs.{"x": $}',
  // blocks, binds, lambdas, recursion, tail calls
  '($x := 1; ($x := 2); $x)',
  '($f := function($n) { $n <= 1 ? 1 : $n * $f($n - 1) }; $f(10))',
  '($f := function($n, $acc) { $n = 0 ? $acc : $f($n - 1, $acc + $n) }; $f(100, 0))',
  '($f := function($n) { $n = 0 ? [] : $append($f($n - 1), $n) }; $f(3))',
  '($g := function($v) { $map($v, function($x) { $x }) }; $map([[1], [2, 3]], $g))',
  '($id := function($v) { $v }; $id(a.one))',
  '$map(list, $string)',
  '$reduce([{"a": 1}, {"b": 2}], $mergePatch, {})',
  '$mergePatch({"a": 1, "b": 2}, {"b": null, "c": 3})',
  '$jsonPatch({"a": [1]}, [{"op": "add", "path": "/a/-", "value": 2}])',
  // errors: both must fail
  '"a" + 1',
  'list > 1',
  '1 > "a"',
  '$undefinedFunction(1)',
  '$merge([1])',
  '$sort(objs)',
  '$jsonPatch({}, [{"op": "remove", "path": "/x"}])',
  '{"a": 1, "a": 2}',
  '($f := function($n) { $f($n + 1) + 1 }; $f(0))',
  // left to jsonata entirely
  '$now()',
  '$uppercase("x") & $substring("abc", 1)',
  '**.c',
  'a.*',
  '[1..3]',
  'a.b@$x.c',
] as const;

describe('the compiled JSONata fast path on tricky semantics', () => {
  it.each(EDGE_EXPRESSIONS.map((e) => [e]))('%s gives what jsonata gives', async (expression) => {
    await expectSame(expression, EDGE_INPUT);
  });

  it('hands recursion deeper than the stack guard back to jsonata', () => {
    const deep = '($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(400))';
    expect(viaFastPath(deep, {}).bailed).toBe(true);
    expect(viaFastPath('($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(5))', {}).value).toBe(5);
  });

  it('never returns the caller objects: results are fresh copies', () => {
    const input = { parameter: { labels: { a: 'b' } } };
    const result = viaFastPath('{"labels": parameter.labels}', input).value as { labels: unknown };
    expect(result.labels).toEqual({ a: 'b' });
    expect(result.labels).not.toBe(input.parameter.labels);
  });
});
