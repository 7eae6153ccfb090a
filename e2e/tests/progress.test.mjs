// 目标进度 in a real browser: the twelve targets of 二 with their final 2025 status, bars drawn
// on the server, the numbers one click away; a county sees its own share.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, loginAs, SHOTS } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

const CLAUSES = ['二.1a', '二.1b', '二.1c', '二.2a', '二.2b', '二.2c', '二.3a', '二.3b', '二.3c', '二.4a', '二.4b', '二.4c'];
const WORDS = ['已达成', '进度正常', '需加快', '进展有限', '倒退'];

test('the city sees the twelve targets with their final 2025 status', async () => {
  const page = await loginAs(browser, server, 'admin');
  await page.click('nav >> text=目标进度');
  await page.fill('#as_of', '2025-12');
  await Promise.all([page.waitForURL(/as_of=2025-12/), page.click('form.filters button[type=submit]')]);
  assert.equal(await page.locator('h1').innerText(), '沧州市 · 目标进度');
  const ids = await page.locator('table.ptable > tbody > tr > td:first-child strong').allInnerTexts();
  for (const c of CLAUSES) assert.ok(ids.includes(c), `${c} on the page`);
  const rows = page.locator('table.ptable > tbody > tr');
  assert.equal(await rows.count(), 13);
  // Every row: a word status (the colour never stands alone), a server-drawn bar, 最终结果.
  for (let i = 0; i < 13; i++) {
    const word = (await rows.nth(i).locator('.pstatus').innerText()).slice(2);
    assert.ok(WORDS.includes(word), `status word ${word}`);
    assert.equal(await rows.nth(i).locator('svg.pbar').count(), 1);
    assert.ok((await rows.nth(i).innerText()).includes('最终结果'));
  }
  // The numbers one click away.
  const first = rows.first();
  assert.equal(await first.locator('table.pseries').isVisible(), false);
  await first.locator('summary').click();
  assert.equal(await first.locator('table.pseries').isVisible(), true);
  assert.ok((await first.locator('table.pseries tbody tr').count()) >= 5, '2021–2025');
  await page.screenshot({ path: join(SHOTS, 'progress-city.png'), fullPage: true });
  await page.context().close();
});

test('a county leader sees its own county and its share of each target', async () => {
  const page = await loginAs(browser, server, 'botou_leader');
  await page.goto(server.url + '/progress?as_of=2025-06');
  assert.equal(await page.locator('h1').innerText(), '泊头市 · 目标进度');
  assert.equal(await page.locator('select#county').count(), 0, 'no county picker');
  assert.ok((await page.locator('table.ptable').innerText()).includes('全市目标25个'));
  await page.screenshot({ path: join(SHOTS, 'progress-county.png'), fullPage: true });
  // A bad month is refused with a Chinese message, not a crash.
  const resp = await page.goto(server.url + '/progress?as_of=2025-13');
  assert.equal(resp.status(), 400);
  assert.ok((await page.content()).includes('月份'));
  await page.context().close();
});

test('a target opens with its trend, the verdict, the counties and the values behind a figure', async () => {
  const page = await loginAs(browser, server, 'admin');
  await page.goto(server.url + '/progress?as_of=2025-06');
  await Promise.all([page.waitForURL(/\/progress\/%E4%BA%8C\.3a/), page.click('a:has(strong:text-is("二.3a"))')]);
  assert.equal(await page.locator('h1').innerText(), '二.3a 高新技术企业');
  assert.ok((await page.locator('p.verdict').innerText()).startsWith('按当前趋势能否完成:'));
  // The trend is drawn on the server: actuals, the target path, the deadline.
  const trend = page.locator('svg.chart.trend');
  assert.equal(await trend.count(), 1);
  assert.equal(await trend.locator('path.actual').count(), 1);
  assert.equal(await trend.locator('path.target-path').count(), 1);
  assert.equal(await trend.locator('line.deadline').count(), 1);
  // Fourteen counties ranked, and the county map with a tile each.
  assert.equal(await page.locator('table.ctable tbody tr').count(), 14);
  assert.equal(await page.locator('svg.chart.tilemap a').count(), 14);
  await page.screenshot({ path: join(SHOTS, 'target-city.png'), fullPage: true });
  // A figure leads to the values behind it, who entered them and when.
  await Promise.all([page.waitForURL(/\/values\?/), page.locator('table.ctable tbody tr').first().locator('td.num a').click()]);
  assert.ok((await page.locator('h1').innerText()).startsWith('数据来源'));
  await page.context().close();
});

test('a county leader sees its own row and its rank', async () => {
  const page = await loginAs(browser, server, 'botou_leader');
  await page.goto(server.url + '/progress/%E4%BA%8C.1a?as_of=2025-12');
  assert.equal(await page.locator('table.ctable tr.own').count(), 1);
  assert.ok((await page.locator('table.ctable tr.own').innerText()).includes('泊头市'));
  assert.ok((await page.locator('p.ownrank').innerText()).startsWith('本县排名:'));
  await page.screenshot({ path: join(SHOTS, 'target-county.png'), fullPage: true });
  // Another county's values are out of reach.
  const resp = await page.goto(server.url + '/values?unit=130982&indicator=revenue&period=2025');
  assert.equal(resp.status(), 403);
  await page.context().close();
});

test('the cluster metrics page: tiers, portfolio, sortable table, the LQ caveat, downloads', async () => {
  const page = await loginAs(browser, server, 'admin');
  await page.click('nav >> text=集群分析');
  assert.ok((await page.locator('h1').innerText()).startsWith('集群分析'));
  assert.equal(await page.locator('svg.chart.tiers').count(), 1);
  assert.equal(await page.locator('svg.chart.bubbles').count(), 1);
  assert.ok(await page.locator('#lq-caveat').isVisible(), 'placeholder reference flagged');
  const rows = page.locator('table.metrics tbody tr');
  assert.equal(await rows.count(), 45);
  // Sort by 区位商, highest first.
  await Promise.all([page.waitForURL(/sort=lq/), page.click('table.metrics th a:has-text("区位商")')]);
  const lqs = (await page.locator('table.metrics tbody tr td:nth-child(22)').allInnerTexts())
    .map((s) => parseFloat(s.replace(/[,*]/g, ''))).filter((x) => !Number.isNaN(x));
  assert.ok(lqs.length > 10, 'LQs on the page');
  for (let i = 1; i < lqs.length; i++) assert.ok(lqs[i - 1] >= lqs[i], `sorted: ${lqs[i - 1]} ≥ ${lqs[i]}`);
  await page.screenshot({ path: join(SHOTS, 'cluster-metrics.png'), fullPage: true });
  const csv = await page.request.get(server.url + '/clusters/metrics?format=csv');
  assert.equal(csv.headers()['content-type'], 'text/csv; charset=utf-8');
  assert.ok((await csv.text()).replace(/^\uFEFF/, '').startsWith('集群代码,集群,县(市),行业大类,营业收入(亿元)'));
  await page.context().close();
});
