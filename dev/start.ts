#!/usr/bin/env node
import { relative } from 'node:path';
import { startDevStack } from './dev-stack.js';

/** `npm start`: the whole stack in one process; Ctrl-C stops everything. */
try {
  const stack = await startDevStack();
  // Paths inside the working directory read better relative; others stay absolute.
  const shown = (path: string) => {
    const rel = relative(process.cwd(), path);
    return rel && !rel.startsWith('..') ? rel : path;
  };
  const kubeconfig = shown(stack.kubeconfigPath);
  process.stdout.write(
    [
      '',
      'Revela dev stack is up:',
      `  Temporal gRPC     ${stack.address}`,
      `  Temporal UI       ${stack.uiUrl}`,
      `  codec server      ${stack.codecUrl}`,
      `  clusters          KUBECONFIG=${kubeconfig} (local, hangzhou1, hangzhou2)`,
      '  worker            task queue "revela"',
      '  controller        hub: the local cluster (kubectl apply Application, Policy, Workflow, *Definition)',
      '',
      'Try, in another terminal:',
      `  export KUBECONFIG=${kubeconfig} PATH=${stack.kubeBinDir}:$PATH`,
      '  kubectl apply -f examples/podinfo/ && kubectl get app,apprev -n examples',
      '  npx revela apply -f examples/podinfo/          # the same through the CLI',
      '  npx revela status podinfo -n examples --tree --detail',
      '  npx revela revision list podinfo -n examples',
      '  npm run demo                                  # the whole podinfo scenario',
      `  KUBECONFIG=${kubeconfig} kubectl get deploy -A   # any kubectl works: they are real clusters`,
      '',
      `Ctrl-C stops everything; the next start reuses ${shown(stack.dbFilename)}.`,
      '',
    ].join('\n'),
  );
  await stack.done;
} catch (err) {
  process.stderr.write(`revela dev: ${(err as Error).message}\n`);
  process.exit(1);
}
