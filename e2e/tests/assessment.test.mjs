// 考核排名 in a real browser: the city sees every county's scores, rank and the 三(二)1 transfer;
// a county leader sees the same bulletin with its own row marked and its 本县排名 panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, loginAs, SHOTS } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('the city sees fourteen ranked counties and a zero-sum transfer', async () => {
  const page = await loginAs(browser, server, 'admin');
  await page.click('nav >> text=考核排名');
  assert.equal(await page.locator('h1').innerText(), '县(市)考核排名');
  const rows = page.locator('table.rank-table > tbody > tr');
  assert.equal(await rows.count(), 14);
  // Not all tied: more than one distinct composite score.
  const comps = await page.locator('table.rank-table > tbody > tr > td:nth-child(3)').allInnerTexts();
  assert.ok(new Set(comps).size > 5, `distinct composites ${comps}`);
  const transfer = page.locator('table.transfer-table');
  // 三(二)1: the first three get 5,000,000 / 3,000,000 / 1,000,000 元, paid by the last three,
  // so the amounts sum to zero and the receivers get 9,000,000 元 together, ties or not.
  const fen = (t) => Math.round(Number(t.replace(/,/g, '')) * 100);
  const lines = await transfer.locator('tbody > tr').evaluateAll((trs) =>
    trs.map((tr) => ({ entries: Number(tr.children[2].innerText.replace(/,/g, '')), amount: tr.children[3].innerText.trim() })));
  assert.equal(lines.length, 14);
  const amounts = lines.map((l) => fen(l.amount));
  assert.equal(amounts.reduce((a, b) => a + b, 0), 0, `transfer sums to zero: ${lines.map((l) => l.amount)}`);
  assert.equal(amounts.filter((a) => a > 0).reduce((a, b) => a + b, 0), 900_000_000);
  assert.equal(amounts.filter((a) => a < 0).reduce((a, b) => a + b, 0), -900_000_000);
  // Ranked on enterprises entering parks: the county with most gets the most, the one with fewest pays the most.
  const most = Math.max(...lines.map((l) => l.entries));
  const fewest = Math.min(...lines.map((l) => l.entries));
  assert.equal(Math.max(...amounts), Math.max(...lines.filter((l) => l.entries === most).map((l) => fen(l.amount))));
  assert.equal(Math.min(...amounts), Math.min(...lines.filter((l) => l.entries === fewest).map((l) => fen(l.amount))));
  assert.equal((await transfer.locator('tfoot td.num').innerText()).trim(), '0.00');
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
  const page = await loginAs(browser, server, 'botou_leader');
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

test('the bureau issues 泊头\'s 三(二)2 target; a wrong figure is named beside its field', async () => {
  const page = await loginAs(browser, server, 'admin');
  await page.goto(server.url + '/assessment?year=2025');
  await page.click('text=各县(市)目标及来源(市工信局在此下达)');
  assert.match(await page.locator('h1').innerText(), /净增规上工业企业目标 · 2025年/);
  // Over the limit (the field's pattern already stops a sign in the browser): refused beside
  // 泊头's field, nothing saved, the typed values kept.
  await page.fill('input[name=t130981]', '20000');
  await page.fill('input[name=t130982]', '80');
  await page.click('#targets-form button[type=submit]');
  assert.ok((await page.locator('#t-130981 .field-error').innerText()).length > 0);
  assert.equal(await page.inputValue('input[name=t130982]'), '80');
  assert.ok((await page.locator('#t-130982').innerText()).includes('规划文件'));
  // Corrected: both saved, each now issued by the bureau.
  await page.fill('input[name=t130981]', '12');
  await page.fill('#note', '沧工信〔2025〕1号');
  await page.click('#targets-form button[type=submit]');
  assert.ok((await page.locator('.ok-box').innerText()).length > 0);
  assert.ok((await page.locator('#t-130981').innerText()).includes('12'));
  assert.ok(!(await page.locator('#t-130981').innerText()).includes('规划文件'));
  await page.screenshot({ path: join(SHOTS, 'assessment-targets.png'), fullPage: true });
  await page.context().close();
  // A county leader reads them, with no form.
  const leader = await loginAs(browser, server, 'botou_leader');
  await leader.goto(server.url + '/assessment/targets?year=2025');
  assert.equal(await leader.locator('#targets-form').count(), 0);
  assert.ok((await leader.locator('#t-130981').innerText()).includes('12'));
  await leader.context().close();
});
