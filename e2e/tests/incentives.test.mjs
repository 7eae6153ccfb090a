// Incentives in a real browser: 市财政局 sets the year's budget; the enterprise checks the
// calculator and files a claim with an evidence file; the county reviews, 市工信局 approves,
// 市财政局 disburses; the ledger and the budget page show the payment, every yuan with its clause.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, loginAs, SHOTS, TODAY } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a claim goes from filing to disbursement and shows in the ledger and the budget', async () => {
  // The budget year is the server's (Beijing) year at the tests' date, as the approval uses.
  const year = String(TODAY.year);
  const czj = await loginAs(browser, server, 'czj');
  await czj.click('nav >> text=预算');
  await czj.fill('input[name=year]', year);
  await czj.fill('input[name=funding_source]', '市级财政');
  await czj.fill('input[name=amount_wan]', '500');
  await czj.click('form[action="/budgets"] button[type=submit]');
  assert.ok((await czj.locator('.ok-box').innerText()).includes('500.00 万元'));

  // The enterprise: the calculator first (三(三)1: 1,500,000 × 50% = 750,000.00), then the claim.
  const qiye = await loginAs(browser, server, 'qiye');
  await qiye.click('nav >> text=政策计算器');
  await qiye.selectOption('#policy', 'informatization');
  await qiye.click('button[name=choose]');
  await qiye.fill('#date', '2024-03-01');
  await qiye.fill('#base', '1500000');
  await Promise.all([qiye.waitForURL(/date=2024-03-01/), qiye.click('button:text-is("测算")')]);
  assert.ok((await qiye.locator('.result').innerText()).includes('750,000.00'));
  const trace = await qiye.locator('table.trace').innerText();
  for (const step of ['基数', '比例', '上限', '舍入', '三(三)1']) assert.ok(trace.includes(step), step);
  await qiye.screenshot({ path: join(SHOTS, 'incentives-calc.png'), fullPage: true });

  await qiye.click('nav >> text=新建申报');
  await qiye.selectOption('#policy', 'informatization');
  await qiye.click('button[value=choose]');
  await qiye.fill('#event_date', '2024-03-01');
  await qiye.fill('#base_yuan', '1500000');
  await qiye.fill('#fact-project', 'XXH-2024-01');
  const file = join(mkdtempSync(join(tmpdir(), 'cd-ev-')), '发票清单.txt');
  writeFileSync(file, '信息化软件 1,500,000.00');
  await qiye.setInputFiles('#file', file);
  await Promise.all([qiye.waitForURL(/\/claims\/\d+/), qiye.click('button[value=submit]')]);
  const claimUrl = qiye.url().replace(/\?.*/, '');
  assert.ok((await qiye.locator('.card').first().innerText()).includes('750,000.00'));
  assert.ok((await qiye.locator('body').innerText()).includes('发票清单.txt'));

  // The county's queue, then review.
  const botou = await loginAs(browser, server, 'botou');
  await botou.click('nav >> text=申报审核');
  assert.ok((await botou.locator('table').innerText()).includes('信息化软硬件与服务补助'));
  await botou.goto(claimUrl);
  await Promise.all([botou.waitForURL(/done=review/), botou.click('form:has(input[value=review]) button')]);

  // 市工信局 approves (the responsible department of 三(三)1); 市财政局 disburses.
  const admin = await loginAs(browser, server, 'admin');
  await admin.goto(claimUrl);
  await Promise.all([admin.waitForURL(/done=approve/), admin.click('form:has(input[value=approve]) button')]);
  assert.equal(await admin.locator('form:has(input[value=disburse])').count(), 0, 'the bureau does not pay');
  await czj.goto(claimUrl);
  await Promise.all([czj.waitForURL(/done=disburse/), czj.click('form:has(input[value=disburse]) button')]);
  assert.ok((await czj.locator('.sub .status').innerText()).includes('已拨付'));
  const events = await czj.locator('table').last().innerText();
  for (const who of ['qiye', 'botou', 'admin', 'czj']) assert.ok(events.includes(who), who);
  await czj.screenshot({ path: join(SHOTS, 'incentives-claim.png'), fullPage: true });

  // Ledger and budget.
  await czj.click('nav >> text=资金台账');
  const ledger = await czj.locator('main').innerText();
  assert.ok(ledger.includes('750,000.00') && ledger.includes('三(三)1'));
  await czj.click('nav >> text=预算');
  const row = await czj.locator('table tbody tr', { hasText: '市级财政' }).first().innerText();
  assert.ok(row.includes('75.00') && row.includes('425.00'), row);
  await czj.screenshot({ path: join(SHOTS, 'incentives-budgets.png'), fullPage: true });
  for (const p of [czj, qiye, botou, admin]) await p.context().close();
});

test('免申即享 lists unclaimed rewards with the clause and the amount', async () => {
  const admin = await loginAs(browser, server, 'admin');
  await admin.click('nav >> text=免申即享');
  assert.equal(await admin.locator('h1').innerText(), '免申即享');
  const cards = await admin.locator('.cards').innerText();
  assert.ok(cards.includes('应享金额'));
  // Each eligible amount is the one its clause fixes (PLAN-INVENTORY, from the policy text), in 元.
  const FIXED = {
    '三(二)2': ['20,000.00', '10,000.00'],
    '三(四)1': ['500,000.00', '300,000.00'],
    '三(五)1': ['1,000,000.00'],
    // Listing: counselling 1,000,000, then accepted a further 2,000,000 (overseas 2,000,000, then 1,000,000).
    '三(五)2': ['1,000,000.00', '2,000,000.00'],
    '三(六)1': ['200,000.00'],
  };
  const items = await admin.locator('main table').nth(1).locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ clause: tr.children[2].querySelector('.muted')?.innerText.trim() ?? '', amount: tr.children[4].innerText.trim() })));
  const eligible = items.filter((x) => x.amount !== '待定');
  assert.ok(eligible.length > 0, 'the demo has unclaimed rewards to list');
  let checked = 0;
  for (const x of eligible) {
    const fixed = Object.entries(FIXED).find(([c]) => x.clause.startsWith(c));
    if (fixed) { assert.ok(fixed[1].includes(x.amount), `${x.clause}: ${x.amount}`); checked++; }
  }
  assert.ok(checked > 0, `a fixed-amount reward among ${eligible.map((x) => x.clause)}`);
  // The card's total is the sum of the table by policy, in 万元.
  const wan = (t) => Math.round(Number(t.replace(/[,万元]/g, '')) * 100);
  const byPolicy = await admin.locator('main table').first().locator('tbody tr td:nth-child(4)').allInnerTexts();
  const card = await admin.locator('.card', { hasText: '应享金额' }).locator('.v').innerText();
  assert.equal(byPolicy.map(wan).reduce((a, b) => a + b, 0), wan(card), `${byPolicy} vs ${card}`);
  await admin.screenshot({ path: join(SHOTS, 'incentives-scan.png'), fullPage: true });
  await admin.context().close();
});
