import { mkdir, writeFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../dev/dev-server.js';
import { freePort } from '../../dev/free-port.js';
import { provisionTemporalCli } from '../../dev/temporal-cli.js';
import {
  appKey,
  applicationWorkflowId,
  revisionName,
  revisionWorkflowId,
  stateKeepWorkflowId,
} from '../../model/ids.js';
import { loadDocuments } from '../../cli/load-documents.js';
import type { RevelaDocument } from '../../model/document.js';
import { REVELA_SEARCH_ATTRIBUTES, RevelaApp, RevelaPhase } from '../../workflows/search-attributes.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';
import { banner, launchChromium, uiTestGate } from './chromium.js';

/** Screenshots land here as test artifacts (gitignored); docs/temporal-ui.md refers to them. */
const SHOTS = 'test-results/ui';
const EXAMPLE = new URL('../../examples/podinfo/', import.meta.url).pathname;
const PODINFO = { namespace: 'examples', name: 'podinfo' };
const APP = appKey(PODINFO.namespace, PODINFO.name);
const APP_ID = applicationWorkflowId(PODINFO.namespace, PODINFO.name);
const V1 = revisionName(PODINFO.name, 1);
const V1_ID = revisionWorkflowId(PODINFO.namespace, V1);
const CATALOG_ID = 'catalog/examples';
/** The application's state-keep child, started once v1 succeeded; it carries RevelaApp too. */
const KEEP_ID = stateKeepWorkflowId(PODINFO.namespace, PODINFO.name);
const BY_APP = `${RevelaApp.name}="${APP}"`;
const APPLY_SUMMARIES = ['hangzhou1', 'hangzhou2'].map((cluster) => `apply Deployment/podinfo → ${cluster}`);

async function podinfoDocuments(): Promise<RevelaDocument[]> {
  return (
    await Promise.all(['policies.yaml', 'workflow.yaml', 'app.yaml'].map((f) => loadDocuments(EXAMPLE + f)))
  ).flat();
}

/** The workflow ids in the UI's workflow list, in the order shown. */
async function listedWorkflowIds(page: Page): Promise<string[]> {
  const links = page.getByTestId('workflows-summary-configurable-table-row').getByRole('link');
  return (await links.allInnerTexts())
    .map((t) => t.trim())
    .filter((t) => /^(app|rev|catalog|keep)\//.test(t));
}

/** Waits until the list shows exactly `ids` (the list reloads asynchronously after a filter). */
async function expectListed(page: Page, ids: string[]): Promise<void> {
  const want = [...ids].sort();
  await eventually(
    `the workflow list to show exactly ${want.join(', ')}`,
    async () => {
      const shown = (await listedWorkflowIds(page)).sort();
      return JSON.stringify(shown) === JSON.stringify(want) ? shown : undefined;
    },
    {
      timeoutMs: 20_000,
      intervalMs: 200,
      describe: async () => `listed ${(await listedWorkflowIds(page)).join(', ') || 'nothing'}`,
    },
  );
}

const gate = uiTestGate();
if (!gate.run) {
  console.warn(
    banner(
      gate.skip
        ? `SKIPPING the Temporal UI test: ${gate.reason}`
        : `FAILING the Temporal UI test.\n${gate.reason}`,
    ),
  );
}

/**
 * What an operator sees of Revela in the Temporal UI, with a real dev server (UI included), a real
 * worker and Debian's Chromium driven by playwright-core. Each step saves a screenshot.
 */
describe('the Temporal UI shows what Revela records', () => {
  if (!gate.run) {
    if (gate.skip) it('is skipped on this machine', (ctx) => ctx.skip(gate.reason));
    else
      it('needs Chromium to open the Temporal UI', () => {
        throw new Error(gate.reason);
      });
    return;
  }
  const executablePath = gate.executablePath;

  // Undone in reverse order by afterAll, even when beforeAll fails halfway.
  const cleanups: (() => Promise<unknown>)[] = [];
  let server: DevServer;
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let hash: string;
  let workflowsUrl: string;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    // Chromium starts while the revision runs; a failed launch is reported by the await below.
    const launching = launchChromium(executablePath);
    launching.catch(() => undefined);
    cleanups.push(async () => (await launching.catch(() => undefined))?.close());

    server = await startDevServer({
      cli: await provisionTemporalCli({ log: () => undefined }),
      port: await freePort(),
      uiPort: await freePort(),
    });
    cleanups.push(() => server.stop());
    stack = await startTestStack({ temporalAddress: server.address, rollout: 'fast' });
    cleanups.push(() => stack.stop());

    await stack.client.apply(await podinfoDocuments());
    const v1 = await stack.client.waitForRevision(PODINFO, V1, { timeoutMs: 30_000 });
    expect(v1.status).toBe('Succeeded');
    hash = v1.hash;

    browser = await launching;
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(20_000);
    workflowsUrl = `${server.uiUrl}/namespaces/${stack.namespace}/workflows`;
  }, 120_000);

  afterAll(async () => {
    const failures: unknown[] = [];
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, 'cleaning up the Temporal UI test failed');
  }, 60_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page) return;
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await page.screenshot({ path: `${SHOTS}/failed-${name}.png`, fullPage: true }).catch(() => undefined);
    await writeFile(`${SHOTS}/failed-${name}.html`, await page.content()).catch(() => undefined);
  });

  it('offers every Revela search attribute in the filter builder and filters by RevelaApp', async () => {
    await page.goto(workflowsUrl);
    await expectListed(page, [APP_ID, CATALOG_ID, V1_ID, KEEP_ID]);

    await page.getByTestId('add-filter-button').click();
    await page.getByTestId('filter-search').fill('Revela');
    for (const key of REVELA_SEARCH_ATTRIBUTES) {
      await page.getByRole('menuitem', { name: new RegExp(`^${key.name}\\s+Keyword$`) }).waitFor();
    }
    await page.screenshot({ path: `${SHOTS}/01-filter-by-revela-search-attributes.png` });

    await page.getByRole('menuitem', { name: new RegExp(`^${RevelaApp.name}\\s`) }).click();
    await page.getByTestId(`dropdown-filter-chip-${RevelaApp.name}-0-text`).fill(APP);
    await page.getByRole('button', { name: 'Apply' }).click();

    await expectListed(page, [APP_ID, V1_ID, KEEP_ID]);
    // The builder quotes the attribute name with backticks; the server reads both forms alike.
    expect(new URL(page.url()).searchParams.get('query')).toBe(`\`${RevelaApp.name}\`="${APP}"`);
    await page.getByTestId('workflow-count').filter({ hasText: /^3$/ }).waitFor();
    await page.screenshot({ path: `${SHOTS}/02-workflows-filtered-by-revela-app.png` });
  });

  it('takes RevelaApp and RevelaPhase in the raw query box and lists only the succeeded revision', async () => {
    await page.goto(workflowsUrl);
    await expectListed(page, [APP_ID, CATALOG_ID, V1_ID, KEEP_ID]);
    await page.getByTestId('toggle-manual-query').click();
    const query = `${BY_APP} AND ${RevelaPhase.name}="Succeeded"`;
    await page.getByTestId('manual-search-input').fill(query);
    await page.getByTestId('manual-search-input').press('Enter');

    await expectListed(page, [V1_ID]);
    expect(new URL(page.url()).searchParams.get('query')).toBe(query);
    await page.screenshot({ path: `${SHOTS}/03-workflows-succeeded-revisions.png` });
  });

  it('opens podinfo-v1 from a RevelaApp link and shows its summary, step table and activity summaries', async () => {
    // A link an operator can share: the list filtered by the query parameter.
    await page.goto(`${workflowsUrl}?query=${encodeURIComponent(BY_APP)}`);
    await expectListed(page, [APP_ID, V1_ID, KEEP_ID]);
    await page.getByRole('link', { name: V1_ID, exact: true }).click();
    await page.getByTestId('workflow-id-heading').filter({ hasText: V1_ID }).waitFor();
    expect(decodeURIComponent(page.url())).toContain(`/workflows/${V1_ID}/`);

    await page.getByTestId('user-metadata-tab').click();
    // Summary and Current Details are markdown the UI renders into sandboxed iframes, one below
    // each heading; waiting for the headings first keeps the History tab from answering instead.
    const summary = page
      .getByTestId('user-metadata-summary-heading')
      .filter({ hasText: /^Summary$/ })
      .locator('xpath=following::iframe[1]')
      .contentFrame();
    await summary.getByText(`${V1} (alpha1) of ${APP} · hash ${hash}`, { exact: true }).waitFor();

    const details = page
      .getByRole('heading', { name: 'Current Details' })
      .locator('xpath=following::iframe[1]')
      .contentFrame();
    await details.getByRole('heading', { name: `${V1} · Succeeded` }).waitFor();
    const step = details.getByRole('row').filter({ hasText: 'deploy-hangzhou' });
    expect((await step.getByRole('cell').allInnerTexts()).map((c) => c.trim())).toEqual([
      'deploy-hangzhou',
      'deploy',
      'succeeded',
      '',
    ]);
    for (const cluster of ['hangzhou1', 'hangzhou2']) {
      const health = details.getByRole('row').filter({ hasText: cluster });
      expect((await health.getByRole('cell').allInnerTexts()).slice(0, 4).map((c) => c.trim())).toEqual([
        cluster,
        'examples',
        'podinfo',
        'Healthy',
      ]);
    }

    // Events with Metadata: one line per activity, by its summary.
    for (const activity of APPLY_SUMMARIES) await page.getByText(activity, { exact: true }).waitFor();
    await page.screenshot({ path: `${SHOTS}/04-revision-summary-and-current-details.png` });
  });

  it('labels the activities with their summaries in the event history timeline and compact list', async () => {
    // Straight to the workflow by id: the UI opens its latest run's history.
    await page.goto(`${workflowsUrl}/${encodeURIComponent(V1_ID)}`);
    await page.getByTestId('workflow-id-heading').filter({ hasText: V1_ID }).waitFor();
    // The first event carries the static summary in the full event list.
    const started = page.locator('[data-testid="event-summary-row"][data-eventid="1"]');
    await started.filter({ hasText: `${V1} (alpha1) of ${APP}` }).waitFor();

    for (const summary of APPLY_SUMMARIES) {
      await page.locator('svg text', { hasText: `applyResource • ${summary}` }).waitFor();
    }
    await page.getByTestId('compact').click();
    for (const summary of APPLY_SUMMARIES) {
      await page
        .getByTestId('event-summary-row')
        .filter({ hasText: 'applyResource' })
        .filter({ hasText: summary })
        .waitFor();
    }
    // The UI scrolls inside its own container under a fixed top bar: with a viewport tall enough
    // for the whole page nothing scrolls, and the section is captured without the bar over it.
    await page.setViewportSize({ width: 1440, height: 1600 });
    await page.getByTestId('workflow-id-heading').scrollIntoViewIfNeeded();
    const history = page
      .locator('div')
      .filter({ has: page.getByRole('heading', { name: 'Event History' }) })
      .filter({ has: page.getByTestId('event-summary-table') })
      .last();
    await history.screenshot({ path: `${SHOTS}/05-revision-history-timeline.png` });
  });
});
