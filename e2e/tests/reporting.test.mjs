// Monthly reporting in a real browser, with a real spreadsheet program: the bureau sends 泊头 a
// 催报 reminder, which 泊头's operator finds in the inbox; the operator downloads the template,
// fills it in LibreOffice (headless, driven through UNO), uploads the LibreOffice-saved .xlsx,
// is refused by cell, fixes the cell, explains the validation warnings and submits; the county
// leader reads the explanations and approves; the bureau accepts, the period locks, and the
// dashboard shows the new month at once. The bureau then unlocks it, the operator corrects a
// figure and compares the revisions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, loginAs, clickAndWait, SHOTS, TODAY } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

// This month at the tests' date: the demo holds data up to last month, so the year to date can
// be split.
const { year, month } = TODAY;
const period = `${year}-${String(month).padStart(2, '0')}`;
const label = `${year}年${month}月`;
const page = `/reporting?dataset=cluster_monthly&county=130981&period=${period}`;
const FILL = join(dirname(fileURLToPath(import.meta.url)), '..', 'tools', 'fill_xlsx.py');

/** Fill the downloaded template in LibreOffice Calc and save it as .xlsx; returns the new file. */
function fillInLibreOffice(template, values, name) {
  const out = join(mkdtempSync(join(tmpdir(), 'cd-lo-')), name);
  execFileSync('/usr/bin/python3', [FILL, template, out, JSON.stringify(values)], { stdio: 'pipe', timeout: 120000 });
  assert.ok(statSync(out).size > 3000, 'LibreOffice wrote an .xlsx');
  return out;
}

async function act(p, button, comment) {
  const form = p.locator('form[action="/reporting/transition"]', { has: p.locator(`button:has-text("${button}")`) });
  if (comment) await form.locator('input[name=comment]').fill(comment);
  await clickAndWait(p, form.locator('button'));
}

async function upload(p, file) {
  await p.setInputFiles('input[type=file]', file);
  await clickAndWait(p, 'form[enctype="multipart/form-data"] button[type=submit]');
}

async function downloadTemplate(p) {
  await p.goto(server.url + page);
  const [download] = await Promise.all([p.waitForEvent('download'), p.click('text=下载填报模板')]);
  const saved = join(mkdtempSync(join(tmpdir(), 'cd-tpl-')), 'template.xlsx');
  await download.saveAs(saved);
  assert.ok(download.suggestedFilename().endsWith('.xlsx'));
  return saved;
}

/** The unread count in the navigation's 催报提醒 badge. */
async function unread(p) {
  const badge = p.locator('nav.side a[href="/reporting/inbox"] .nav-badge');
  return (await badge.count()) ? Number(await badge.innerText()) : 0;
}

test('reminder, LibreOffice template round trip, submit, approve, accept, dashboard, unlock, compare', async () => {
  // The bureau reminds 泊头 about its longest-overdue period, with a message.
  const admin = await loginAs(browser, server, 'admin');
  await admin.goto(server.url + '/reporting/status');
  // The matrix on this date, worked out from 四(四)'s deadline (the 10th of the next month): the
  // newest month whose deadline has passed is overdue for 泊头, which the demo leaves unsent;
  // last month waits for 任丘's leader and for the city at 河间.
  const ym = (y, m) => `${y}-${String(m).padStart(2, '0')}`;
  const back = (n) => { const k = TODAY.year * 12 + TODAY.month - 1 - n; return ym(Math.floor(k / 12), (k % 12) + 1); };
  const latestDue = TODAY.day > 10 ? back(1) : back(2);
  const cell = async (county, p) =>
    (await admin.locator(`table.matrix tbody tr:has-text("${county}") a[href$="period=${p}"]`).innerText()).trim();
  assert.equal(await cell('泊头市', latestDue), '逾期', `泊头 ${latestDue}`);
  assert.equal(await cell('任丘市', back(1)), '待县审', `任丘 ${back(1)}`);
  assert.equal(await cell('河间市', back(1)), '待市收', `河间 ${back(1)}`);
  await clickAndWait(admin, 'text=逾期名单与催报');
  // In the demo, 泊头 has not yet sent the latest monthly cluster report: it is overdue.
  await admin.selectOption('select[name=dataset]', '');
  await clickAndWait(admin, 'form[action="/reporting/overdue"] button');
  const botouRow = admin.locator('table.overdue tbody tr', { hasText: '泊头市' }).first();
  await botouRow.locator('input[name=message]').fill('请于本周五前补报');
  await clickAndWait(admin, botouRow.locator('button:has-text("催报")'));
  assert.ok((await admin.locator('.ok-box').innerText()).includes('已向 1 个县(市)发送 1 条催报'));
  const sent = await admin.locator('table.reminders-sent tbody tr').first().innerText();
  assert.ok(sent.includes('泊头市') && sent.includes('请于本周五前补报') && sent.includes('admin'), sent);
  await admin.screenshot({ path: join(SHOTS, 'reporting-overdue.png') });

  // 泊头's operator sees the unread count, opens the inbox, finds the reminder, marks it read.
  const op = await loginAs(browser, server, 'botou');
  const before = await unread(op);
  assert.ok(before >= 1, `unread ${before}`);
  await clickAndWait(op, 'nav.side a[href="/reporting/inbox"]');
  const reminder = op.locator('table.inbox tbody tr', { hasText: '请于本周五前补报' });
  assert.ok((await reminder.innerText()).includes('催报'));
  await op.screenshot({ path: join(SHOTS, 'reporting-inbox.png'), fullPage: true });
  await clickAndWait(op, reminder.locator('button:has-text("标为已读")'));
  assert.equal(await unread(op), before - 1);

  // The template, filled in LibreOffice: a negative revenue is refused whole, the cell named.
  // 泊头's clusters are C17, C18, C19 on rows 4–6; 营业收入 is column C: C19's cell is C6.
  const template = await downloadTemplate(op);
  const bad = fillInLibreOffice(template, { C19: { 营业收入: -5 } }, 'bad.xlsx');
  await upload(op, bad);
  const errors = await op.locator('table tbody tr').allInnerTexts();
  assert.ok(errors.some((r) => r.includes('C6') && r.includes('non_negative')), errors.join('\n'));
  assert.equal(await op.inputValue('form[method=get] input[name=period]'), period, 'the chosen period is kept');
  await op.screenshot({ path: join(SHOTS, 'reporting-refused.png'), fullPage: true });

  // Fixed in LibreOffice: a year-to-date figure well above the months already reported. The
  // import goes through; the month's jump against last month and last year is a warning.
  await upload(op, fillInLibreOffice(template, { C19: { 营业收入: 99999999 } }, 'fixed.xlsx'));
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
  await upload(op, bad);
  assert.ok((await op.content()).includes('period_locked'));

  const leader = await loginAs(browser, server, 'botou_leader');
  await leader.goto(server.url + page);
  // The leader reads the operator's explanation beside each warning before approving.
  assert.ok((await leader.locator('#validation').innerText()).includes(why));
  await leader.screenshot({ path: join(SHOTS, 'reporting-leader.png'), fullPage: true });
  await act(leader, '县审核通过');
  assert.ok((await leader.locator('.ok-box').innerText()).includes('县已审核待市接收'));

  await admin.goto(server.url + page);
  await act(admin, '市接收并锁定');
  assert.ok((await admin.locator('.ok-box').innerText()).includes('市已接收(锁定)'));
  await admin.screenshot({ path: join(SHOTS, 'reporting-accepted.png'), fullPage: true });

  // The dashboard reads the new month at once; the matrix shows it accepted.
  await admin.goto(server.url + '/');
  assert.ok((await admin.locator('p.sub').first().innerText()).includes(`数据截至${label}`));
  await admin.goto(server.url + '/reporting/status');
  const matrixRow = await admin.locator('table.matrix tbody tr', { hasText: '泊头市' }).innerText();
  assert.ok(matrixRow.includes('已接收'), matrixRow);
  await admin.screenshot({ path: join(SHOTS, 'reporting-status.png'), fullPage: true });

  // The bureau unlocks with a reason; 泊头 finds it in the inbox and corrects the figure in
  // LibreOffice: 99,999,999 → 99,999,000 万元 year to date, a change of −999 万元.
  await admin.goto(server.url + page);
  await act(admin, '解锁', '统计快报修订,请核实营业收入');
  assert.ok((await admin.locator('.ok-box').innerText()).includes('填报中'));
  await op.goto(server.url + '/reporting/inbox');
  const unlocked = await op.locator('table.inbox tbody tr', { hasText: '统计快报修订' }).innerText();
  assert.ok(unlocked.includes('已解锁'), unlocked);
  const again = await downloadTemplate(op);
  await upload(op, fillInLibreOffice(again, { C19: { 营业收入: 99999000 } }, 'corrected.xlsx'));
  assert.ok((await op.locator('.ok-box').innerText()).includes('导入成功'));

  // From the event history to the comparison: the unlock-time revision against the data now.
  await clickAndWait(op, 'text=版本对比');
  const changed = op.locator('table.compare tbody tr.diff-changed');
  assert.equal(await changed.count(), 1);
  const row = await changed.innerText();
  assert.ok(row.includes('铸造') && row.includes('营业收入') && row.includes('已修改'), row);
  assert.ok(row.includes('-999'), row);
  await op.screenshot({ path: join(SHOTS, 'reporting-compare.png'), fullPage: true });

  for (const p of [op, leader, admin]) await p.context().close();
});
