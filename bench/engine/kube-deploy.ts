import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { stringify } from 'yaml';
import type { RevelaClient } from '../../client/revela-client.js';
import type { LocalClusters } from '../../dev/local-clusters.js';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import { withPublishVersion, type Application } from '../../model/application.js';
import type { KubeObject } from '../../model/kube-object.js';
import { summarize, type Summary } from '../lib/stats.js';

const execFileAsync = promisify(execFile);

export interface KubeDeployResult {
  readonly runs: number;
  /** Publish → every Deployment Ready on hangzhou1 and hangzhou2 (the revision `Succeeded`). */
  readonly measured: Summary;
  /** `kubectl apply --server-side` + `kubectl rollout status` of the same objects on both clusters. */
  readonly baseline: Summary;
  readonly ratioP50: number;
  readonly ratioP99: number;
}

/** What a user would hand to kubectl: the object as Revela rendered it, without server fields. */
function asManifest(live: KubeObject, namespace: string): KubeObject {
  const { metadata } = live;
  return {
    apiVersion: live.apiVersion,
    kind: live.kind,
    metadata: { name: metadata.name, namespace, labels: metadata.labels ?? {}, annotations: {} },
    spec: (live as { spec?: unknown }).spec,
  };
}

function setImage(object: KubeObject, image: string): KubeObject {
  const copy = structuredClone(object) as unknown as {
    spec: { template: { spec: { containers: { image: string }[] } } };
  };
  for (const c of copy.spec.template.spec.containers) c.image = image;
  return copy as unknown as KubeObject;
}

/**
 * `kubeDeploy`: a podinfo publish until every Deployment is Ready on two real clusters, against
 * kubectl doing the same writes and waits by hand (server-side apply, then rollout status, both
 * clusters in parallel). Runs alternate, so both see the same cluster load.
 */
export async function measureKubeDeploy(options: {
  revela: RevelaClient;
  temporal: Client;
  clusters: LocalClusters;
  app: Application;
  runs: number;
  withImage: (app: Application, image: string) => Application;
  log: (line: string) => void;
}): Promise<KubeDeployResult> {
  const { revela, temporal, clusters, app, runs } = options;
  const targets = ['hangzhou1', 'hangzhou2'];
  const registry = await ClusterRegistry.load({
    kubeconfigPath: clusters.kubeconfigPath,
    clustersPath: clusters.clustersPath,
  });
  const kubectl = join(clusters.binDir, 'kubectl');
  const env = { ...process.env, KUBECONFIG: clusters.kubeconfigPath };
  const dir = await mkdtemp(join(tmpdir(), 'revela-kube-deploy-'));
  const measured: number[] = [];
  const baseline: number[] = [];
  try {
    const publish = async (i: number) => {
      const t0 = performance.now();
      const r = await revela.publish({
        app: withPublishVersion(options.withImage(app, `stefanprodan/podinfo:6.${i}.1`), `kd${i}`),
        publishVersion: `kd${i}`,
      });
      await temporal.workflow.getHandle(r.workflowId).result();
      return performance.now() - t0;
    };
    // The objects the worker applied, read back once, are the baseline's manifests.
    await publish(0);
    const namespace = app.metadata.namespace ?? 'default';
    const rendered = (
      await registry.client('hangzhou1').list({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace,
        labelSelector: { 'app.oam.dev/name': app.metadata.name },
      })
    ).map((o) => asManifest(o, 'kubectl-baseline'));
    for (const c of targets) await registry.client(c).ensureNamespace('kubectl-baseline');

    const byHand = async (i: number) => {
      const file = join(dir, `run-${i}.yaml`);
      const image = `stefanprodan/podinfo:6.${i}.1`;
      await writeFile(file, rendered.map((o) => stringify(setImage(o, image))).join('---\n'));
      const t0 = performance.now();
      await Promise.all(
        targets.map(async (context) => {
          await execFileAsync(kubectl, ['--context', context, 'apply', '--server-side', '-f', file], { env });
          for (const o of rendered) {
            await execFileAsync(
              kubectl,
              [
                '--context',
                context,
                '-n',
                'kubectl-baseline',
                'rollout',
                'status',
                `deployment/${o.metadata.name}`,
                '--timeout=120s',
              ],
              { env },
            );
          }
        }),
      );
      return performance.now() - t0;
    };
    await byHand(0);
    for (let i = 1; i <= runs; i++) {
      measured.push(await publish(i));
      baseline.push(await byHand(i));
    }
    options.log(`kubeDeploy: ${runs} runs each`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const m = summarize(measured);
  const b = summarize(baseline);
  return { runs, measured: m, baseline: b, ratioP50: m.p50Ms / b.p50Ms, ratioP99: m.p99Ms / b.p99Ms };
}
