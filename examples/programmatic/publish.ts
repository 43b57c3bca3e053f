/**
 * Publishing from a program, as the README shows: apply the podinfo example, publish a version,
 * wait for it, and roll back if it did not succeed.
 *
 *   npm start                       # in one terminal
 *   npm run build && node dist/examples/programmatic/publish.js alpha2
 */
import { RevelaClient } from '../../client/revela-client.js';
import type { Application } from '../../model/application.js';
import { loadDocuments } from '../../cli/load-documents.js';

const publishVersion = process.argv[2] ?? `v${Date.now()}`;
const podinfo = { name: 'podinfo', namespace: 'examples' };

const revela = await RevelaClient.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
try {
  await revela.apply(await loadDocuments('examples/podinfo/policies.yaml'));
  await revela.apply(await loadDocuments('examples/podinfo/workflow.yaml'));
  const [app] = (await loadDocuments('examples/podinfo/app.yaml')) as Application[];
  if (!app) throw new Error('examples/podinfo/app.yaml has no application');

  const v = await revela.publish({ app, publishVersion });
  console.log(`published ${v.revision} (${publishVersion}) with hash ${v.hash}`);
  const done = await revela.waitForRevision(podinfo, v.revision, { timeoutMs: 120_000 });
  console.log(`${v.revision} ${done.status}`);
  if (done.status !== 'Succeeded') {
    const back = await revela.rollback(podinfo);
    console.log(`rolled back from ${back.from} to ${back.to}`);
  }
  console.log(await revela.diffs.liveDiff(podinfo, { context: 2 }));
} finally {
  await revela.close();
}
