// 三员分立 in the browser: the security administrator makes an account, its holder signs in with
// the temporary password and must choose a new one before anything else; disabling the account
// ends its session at once; nobody else reaches the account pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, loginAs, clickAndWait, SHOTS } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer({ enterprises: 200 }); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

async function signIn(username, password) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(server.url + '/login');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('form button[type=submit]')]);
  return page;
}

test('the security admin makes a county account; its holder must change the temporary password', async () => {
  const sec = await loginAs(browser, server, 'secadmin');
  assert.equal(new URL(sec.url()).pathname, '/admin/users');
  await sec.goto(server.url + '/admin/users/new');
  await sec.fill('#username', 'wangfang');
  await sec.fill('#display_name', '王芳');
  await sec.selectOption('#role', 'county_operator');
  await sec.selectOption('#org', '130981');
  await clickAndWait(sec, 'button:has-text("创建账户")');
  const temp = (await sec.textContent('#temp-password')).trim();
  // Three groups of four: upper, lower, digit, lower (domain::password::temporary).
  assert.match(temp, /^[A-Z][a-z][0-9][a-z]-[A-Z][a-z][0-9][a-z]-[A-Z][a-z][0-9][a-z]$/);
  // A county operator has no second factor to hand over.
  assert.equal(await sec.locator('#totp-secret').count(), 0);
  await sec.screenshot({ path: join(SHOTS, 'account-handover.png'), fullPage: true });

  // The holder: straight to 修改密码, and every other page sends them back there.
  const holder = await signIn('wangfang', temp);
  assert.equal(new URL(holder.url()).pathname, '/account/password');
  assert.match(await holder.locator('.error-box').innerText(), /请先设置自己的密码/);
  await holder.goto(server.url + '/clusters/C11');
  assert.equal(new URL(holder.url()).pathname, '/account/password');
  await holder.fill('#current', temp);
  await holder.fill('#new', 'Botou-Cluster-2026!');
  await holder.fill('#confirm', 'Botou-Cluster-2026!');
  await clickAndWait(holder, 'button:has-text("保存")');
  assert.match(await holder.locator('.ok-box').innerText(), /密码已修改/);
  await holder.goto(server.url + '/');
  assert.equal(new URL(holder.url()).pathname, '/');
  assert.match(await holder.locator('header').innerText(), /泊头市/);

  // Disabled: the open session ends at the next click, and the password no longer signs in.
  await sec.goto(server.url + '/admin/users/wangfang');
  await clickAndWait(sec, 'button:has-text("停用账户")');
  await sec.goto(server.url + '/admin/users/wangfang');
  assert.equal((await sec.textContent('#account-state')).trim(), '已停用');
  await holder.goto(server.url + '/');
  assert.ok(new URL(holder.url()).pathname.startsWith('/login'));
  const again = await signIn('wangfang', 'Botou-Cluster-2026!');
  assert.ok(new URL(again.url()).pathname.startsWith('/login'));
  await Promise.all([sec.context().close(), holder.context().close(), again.context().close()]);
});

test('only the security admin reaches the account pages; the system admin has its own page', async () => {
  const admin = await loginAs(browser, server, 'admin');
  const r = await admin.goto(server.url + '/admin/users');
  assert.equal(r.status(), 403);
  const menu = await admin.locator('nav').innerText();
  assert.ok(!menu.includes('用户账户'), menu);
  const sys = await loginAs(browser, server, 'sysadmin');
  assert.equal(new URL(sys.url()).pathname, '/admin/system');
  assert.match(await sys.locator('main').innerText(), /备份与恢复/);
  assert.equal((await sys.goto(server.url + '/admin/users')).status(), 403);
  await sys.screenshot({ path: join(SHOTS, 'system.png'), fullPage: true });
  await Promise.all([admin.context().close(), sys.context().close()]);
});
