// Monthly reporting in a real browser: the 泊头 operator downloads the template, uploads a file
// that is refused by cell, fixes it, explains the validation warnings and submits; the county
// leader reads the explanations and approves; the bureau accepts, the period locks, and the
// dashboard shows the new month at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, loginAs, SHOTS } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); server?.stop(); });

// This month: the demo holds data up to last month, so the year to date can be split.
const now = new Date();
const year = now.getUTCFullYear();
const month = now.getUTCMonth() + 1;
const period = `${year}-${String(month).padStart(2, '0')}`;
const label = `${year}年${month}月`;
const page = `/reporting?dataset=cluster_monthly&county=130981&period=${period}`;

function csv(revenue) {
  const dir = mkdtempSync(join(tmpdir(), 'cd-report-'));
  const file = join(dir, '泊头市集群月报.csv');
  writeFileSync(file, `泊头市 集群月报\n数据集,cluster_monthly,县(市),130981,期间,${period}\n集群代码,集群名称,revenue\nC19,铸造,${revenue}\n`);
  return file;
}

async function act(p, button) {
  await Promise.all([p.waitForLoadState('load'), p.click(`form[action="/reporting/transition"] button:has-text("${button}")`)]);
}

test('template, refused upload, fixed upload, submit, approve, accept, dashboard', async () => {
  const op = await loginAs(browser, server.url, 'botou');
  await op.goto(server.url + page);
  const [download] = await Promise.all([op.waitForEvent('download'), op.click('text=下载填报模板')]);
  const saved = join(mkdtempSync(join(tmpdir(), 'cd-tpl-')), 'template.xlsx');
  await download.saveAs(saved);
  assert.ok(download.suggestedFilename().endsWith('.xlsx'));
  assert.ok(statSync(saved).size > 3000);

  // A negative revenue: refused whole, the cell named.
  await op.setInputFiles('input[type=file]', csv('-5'));
  await op.click('form[enctype="multipart/form-data"] button[type=submit]');
  const errors = await op.locator('table tbody tr').allInnerTexts();
  assert.ok(errors.some((r) => r.includes('C4') && r.includes('non_negative')), errors.join('\n'));
  assert.equal(await op.inputValue('form[method=get] input[name=period]'), period, 'the chosen period is kept');
  await op.screenshot({ path: join(SHOTS, 'reporting-refused.png'), fullPage: true });

  // Fixed: a year-to-date figure well above the months already reported. The import goes
  // through; the month's jump against last month and last year is flagged as a warning.
  await op.setInputFiles('input[type=file]', csv('99999999'));
  await op.click('form[enctype="multipart/form-data"] button[type=submit]');
  assert.ok((await op.locator('.ok-box').innerText()).includes('导入成功'));
  assert.ok((await op.locator('#validation').innerText()).includes('⚠ 警告'), 'warnings listed by word and icon');
  // Submitting without explaining the warnings is refused; the reason names them.
  await act(op, '提交');
  assert.ok((await op.locator('.error-box').innerText()).includes('警告须逐项填写说明'));
  const why = '本月新增大额订单集中交付,已核实';
  const fields = op.locator('#validation input[type=text]');
  assert.ok((await fields.count()) > 0);
  for (const f of await fields.all()) await f.fill(why);
  await op.screenshot({ path: join(SHOTS, 'reporting-warnings.png'), fullPage: true });
  await act(op, '提交');
  assert.ok((await op.locator('.ok-box').innerText()).includes('已提交待县审核'));
  // The entry form marks the flagged cell with the word and icon, not colour alone.
  await op.goto(server.url + page.replace('/reporting?', '/reporting/form?'));
  assert.ok((await op.locator('td.cell-finding-warning').first().innerText()).includes('⚠ 警告'));
  await op.screenshot({ path: join(SHOTS, 'reporting-form-findings.png'), fullPage: true });
  await op.goto(server.url + page);
  // Submitted data cannot be changed by another upload.
  await op.setInputFiles('input[type=file]', csv('99999998'));
  await op.click('form[enctype="multipart/form-data"] button[type=submit]');
  assert.ok((await op.content()).includes('period_locked'));

  const leader = await loginAs(browser, server.url, 'botou_leader');
  await leader.goto(server.url + page);
  // The leader reads the operator's explanation beside each warning before approving.
  assert.ok((await leader.locator('#validation').innerText()).includes(why));
  await leader.screenshot({ path: join(SHOTS, 'reporting-leader.png'), fullPage: true });
  await act(leader, '县审核通过');
  assert.ok((await leader.locator('.ok-box').innerText()).includes('县已审核待市接收'));

  const admin = await loginAs(browser, server.url, 'admin');
  await admin.goto(server.url + page);
  await act(admin, '市接收并锁定');
  assert.ok((await admin.locator('.ok-box').innerText()).includes('市已接收(锁定)'));
  await admin.screenshot({ path: join(SHOTS, 'reporting-accepted.png'), fullPage: true });

  // The dashboard reads the new month at once; the matrix shows it accepted.
  await admin.goto(server.url + '/');
  assert.ok((await admin.locator('p.sub').first().innerText()).includes(`数据截至${label}`));
  await admin.goto(server.url + '/reporting/status');
  const botouRow = await admin.locator('table.matrix tbody tr', { hasText: '泊头市' }).innerText();
  assert.ok(botouRow.includes('已接收'), botouRow);
  await admin.screenshot({ path: join(SHOTS, 'reporting-status.png'), fullPage: true });
  for (const p of [op, leader, admin]) await p.context().close();
});
