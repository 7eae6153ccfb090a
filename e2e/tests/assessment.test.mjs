// 考核排名 in a real browser: the city sees every county's scores, rank and the 三(二)1 transfer;
// a county leader sees the same bulletin with its own row marked and its 本县排名 panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, loginAs, SHOTS } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); server?.stop(); });

test('the city sees fourteen ranked counties and a zero-sum transfer', async () => {
  const page = await loginAs(browser, server.url, 'admin');
  await page.click('nav >> text=考核排名');
  assert.equal(await page.locator('h1').innerText(), '县(市)考核排名');
  const rows = page.locator('table.rank-table > tbody > tr');
  assert.equal(await rows.count(), 14);
  // Not all tied: more than one distinct composite score.
  const comps = await page.locator('table.rank-table > tbody > tr > td:nth-child(3)').allInnerTexts();
  assert.ok(new Set(comps).size > 5, `distinct composites ${comps}`);
  const transfer = page.locator('table.transfer-table');
  assert.ok((await transfer.locator('tfoot').innerText()).includes('0.00'));
  assert.ok((await transfer.innerText()).includes('5,000,000.00'));
  // What was counted, one click away.
  const prov = page.locator('details.provenance');
  assert.equal(await prov.locator('ul').first().isVisible(), false);
  await prov.locator('summary').click();
  assert.equal(await prov.locator('h3').count(), 14);
  assert.ok((await prov.locator('ul').first().innerText()).includes('入园'));
  await page.screenshot({ path: join(SHOTS, 'assessment-city.png'), fullPage: true });
  await page.context().close();
});

test('a county leader sees its own row marked and its rank', async () => {
  const page = await loginAs(browser, server.url, 'botou_leader');
  await page.goto(server.url + '/assessment');
  const panel = page.locator('section.own-panel');
  assert.ok((await panel.locator('h2').innerText()).includes('本县排名 · 泊头市'));
  assert.match(await panel.innerText(), /第 \d+ 名/);
  const own = page.locator('table.rank-table tr.own');
  assert.equal(await own.count(), 1);
  assert.ok((await own.innerText()).includes('泊头市'));
  assert.ok((await own.innerText()).includes('本县'));
  await page.screenshot({ path: join(SHOTS, 'assessment-county.png'), fullPage: true });
  const resp = await page.goto(server.url + '/assessment?year=20x5');
  assert.equal(resp.status(), 400);
  await page.context().close();
});
