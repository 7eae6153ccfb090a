// The foundation in a real browser: a county operator sees only its county; the city sees all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, loginAs, nextCode, totpAt, PASSWORD, TOTP_SECRET, SHOTS } from './helpers.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a 泊头市 operator sees only its three clusters and opens one', async () => {
  const page = await loginAs(browser, server, 'botou');
  assert.equal(await page.locator('h1').innerText(), '泊头市特色产业集群');
  const clusters = (await page.locator('td.clusters-inline a').allInnerTexts()).sort();
  assert.deepEqual(clusters, ['汽车模具', '环保设备', '铸造'].sort());
  const counties = await page.locator('table.home-counties tbody tr td:first-child a').allInnerTexts();
  assert.deepEqual(counties, ['泊头市']);
  // Its own share of the twelve targets, each with its clause id and a status in words.
  const ids = await page.locator('table.home-ptable tbody td:first-child strong').allInnerTexts();
  assert.ok(ids.includes('二.1a') && ids.includes('二.4c'), `targets ${ids}`);
  assert.ok(!(await page.content()).includes('任丘市'), 'no other county on the page');
  await page.screenshot({ path: join(SHOTS, 'county-home.png'), fullPage: true });

  await page.click('text=铸造');
  assert.equal(await page.locator('h1').innerText(), '泊头市铸造产业集群');
  const crumbs = await page.locator('.crumbs li').allInnerTexts();
  assert.deepEqual(crumbs, ['沧州市', '泊头市', '泊头市铸造产业集群']);
  await page.screenshot({ path: join(SHOTS, 'cluster.png'), fullPage: true });

  // Another county's cluster: a refusal page, not a crash and not a 404.
  const resp = await page.goto(server.url + '/clusters/C11');
  assert.equal(resp.status(), 403);
  assert.equal(await page.locator('h1').innerText(), '无权访问');
  await page.context().close();
});

test('the city bureau sees 14 counties and 45 clusters and searches enterprises', async () => {
  const page = await loginAs(browser, server, 'admin');
  assert.equal(await page.locator('table.home-counties tbody tr').count(), 14);
  assert.equal(await page.locator('td.clusters-inline a').count(), 45);
  // The dashboard: the latest month, the thirteen target rows, the ten largest enterprises.
  assert.match(await page.locator('.cards').innerText(), /\d{4}年\d{1,2}月集群营业收入/);
  assert.equal(await page.locator('table.home-ptable tbody tr').count(), 13);
  assert.equal(await page.locator('table.home-top tbody tr').count(), 10);
  await page.screenshot({ path: join(SHOTS, 'city-home.png'), fullPage: true });

  await page.click('nav >> text=企业名录');
  await page.selectOption('select[name=county]', '130981');
  await page.click('form.filters button[type=submit]');
  const counties = new Set(await page.locator('tbody tr td:nth-child(3)').allInnerTexts());
  assert.deepEqual([...counties], ['泊头市']);
  await page.screenshot({ path: join(SHOTS, 'enterprises.png'), fullPage: false });

  await page.locator('tbody tr td:first-child a').first().click();
  assert.ok((await page.locator('h2').allInnerTexts()).includes('资质与认定'));
  await page.screenshot({ path: join(SHOTS, 'enterprise.png'), fullPage: true });
  await page.context().close();
});

test('the bureau signs in with password and dynamic code; without the code it is refused', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(server.url + '/login');
  await page.screenshot({ path: join(SHOTS, 'login.png'), fullPage: true });
  await page.fill('#username', 'admin');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  await page.waitForSelector('.error-box');
  assert.ok(new URL(page.url()).pathname.startsWith('/login'));
  assert.match(await page.locator('.error-box').innerText(), /该账户须输入动态口令/);
  // A code from a minute ago is refused; the current one signs in.
  const step = Math.floor(server.now() / 1000 / 30);
  await page.fill('#password', PASSWORD);
  await page.fill('#totp', totpAt(TOTP_SECRET, step - 3));
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  await page.waitForSelector('.error-box');
  assert.match(await page.locator('.error-box').innerText(), /动态口令不正确或已使用过/);
  await page.fill('#password', PASSWORD);
  await page.fill('#totp', await nextCode(server, 'admin'));
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
  assert.equal(await page.locator('table.home-counties tbody tr').count(), 14);
  await context.close();
});
