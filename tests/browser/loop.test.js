// The loop closes, with JavaScript off, through `ydt serve` over the example site: a resident
// objects to a disclosure from its record page's form, and rates a closed case from the track
// page's answer (不满意 reopens it with a new due date, the history says so, and a second rating
// of the same closing is refused). axe-core checks the objection form and the answer with its
// rating form at WCAG 2.1 AA.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const h = require('./lib/harness');

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };
const SLUG = 'cuizhuyuan';
const RECORD = '2026-11-gaoling-jintie';

let root;
let serve;
let browser;

function assertNoViolations(violations, what) {
  assert.deepEqual(violations, [], `${what}: axe-core found WCAG 2.1 AA violations:\n${JSON.stringify(violations, null, 2)}`);
}

/** axe-core is a script: check a page shown with JavaScript off in a context that runs scripts. */
async function assertAccessible(page, what) {
  const html = await page.content();
  const checker = await browser.newContext(PHONE);
  const check = await checker.newPage();
  await check.setContent(html);
  assertNoViolations(await h.axeViolations(check), what);
  await checker.close();
}

/** The case number and the 16-digit query code of a receipt page's text. */
function receipt(text) {
  const caseId = /\b(\d{8}-\d{4})\b/.exec(text);
  const code = /(\d{4} \d{4} \d{4} \d{4})/.exec(text);
  assert.ok(caseId && code, `a case number and a query code on the receipt:\n${text}`);
  return { caseId: caseId[1], code: code[1].replace(/\s/g, '') };
}

before(async () => {
  root = h.copySite();
  h.ydt(root, 'build');
  serve = await h.startServe(root);
  browser = await h.launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (serve) serve.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

test('without JavaScript: an objection to a disclosure, from its record page', async () => {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${serve.origin}/c/${SLUG}/${RECORD}/`);
  assert.match(await page.locator('.publicity').innerText(), /公示期：.+至.+。/);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: '对这项公开提出异议' }).click()]);
  assert.equal(new URL(page.url()).pathname, `/c/${SLUG}/${RECORD}/yiyi/`);
  await assertAccessible(page, 'the objection form');
  await h.screenshot(page, 'yiyi-phone');

  await page.getByLabel('异议内容').fill('名单第3行的老人今年八月已去世，不应再领取高龄津贴，请核实。');
  await page.getByLabel('姓名', { exact: true }).fill('李桂兰');
  await page.getByLabel('电话', { exact: true }).fill('13812345678');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交异议' }).click()]);
  const text = await page.locator('body').innerText();
  assert.match(text, /您的异议已收到/);
  const filed = receipt(text);

  const shown = h.ydt(root, 'cases', 'show', filed.caseId);
  assert.match(shown, new RegExp(`record {8}${RECORD}`), shown);
  assert.match(shown, /type {10}异议 \(objection\)/, shown);
  await context.close();
});

test('without JavaScript: a closed case is rated on the track page; 不满意 reopens it, once per closing', async () => {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${serve.origin}/c/${SLUG}/jiandu/`);
  await page.locator('#category').selectOption({ index: 1 });
  await page.getByLabel('具体内容').fill('十一月的高龄津贴到现在还没有发放，请社区核实。');
  await page.getByLabel('姓名', { exact: true }).fill('王秀英');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交' }).click()]);
  const filed = receipt(await page.locator('body').innerText());

  async function lookUp() {
    await page.goto(`${serve.origin}/track/`);
    await page.getByLabel('案件编号').fill(filed.caseId);
    await page.getByLabel('查询码').fill(filed.code);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '查询' }).click()]);
    return page.locator('body').innerText();
  }

  let text = await lookUp();
  assert.match(text, /受理期限/);
  assert.equal(await page.getByRole('button', { name: '提交评价' }).count(), 0, 'an open case has no rating form');

  h.ydt(root, 'cases', 'set', filed.caseId, '--status', '已办结', '--reply', '津贴已于12月3日补发到账。');
  text = await lookUp();
  assert.match(text, /评价办理结果/);
  await assertAccessible(page, 'the lookup answer with its rating form');
  await h.screenshot(page, 'track-rating-phone');

  await page.getByLabel('不满意').check();
  await page.getByLabel('意见（可不填）').fill('只补发了一个月，十月的还没有。');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交评价' }).click()]);
  assert.equal(new URL(page.url()).pathname, '/api/feedback');
  text = await page.locator('body').innerText();
  assert.match(text, /这件事已重新办理，新的答复期限是 \d{4}-\d{2}-\d{2}/);
  assert.match(text, /办理中/);
  assert.match(text, /群众不满意，重新办理/, `the history shows the reopening:\n${text}`);
  assert.match(text, /状态改为：已办结/);
  await assertAccessible(page, 'the answer after a rating');

  // The same closing cannot be rated twice: the form again, posted as it was, is refused.
  const again = await fetch(`${serve.origin}/api/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ case_id: filed.caseId, query_code: filed.code, rating: '满意' }),
  });
  assert.equal(again.status, 409);

  // Closed again, the second closing may be rated, once.
  h.ydt(root, 'cases', 'set', filed.caseId, '--status', '已办结', '--reply', '十月的津贴也已补发。');
  await lookUp();
  await page.getByLabel('满意', { exact: true }).check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交评价' }).click()]);
  text = await page.locator('body').innerText();
  assert.match(text, /已收到您的评价：满意/);
  assert.equal(await page.getByRole('button', { name: '提交评价' }).count(), 0, 'rated: no form');
  const twice = await fetch(`${serve.origin}/api/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ case_id: filed.caseId, query_code: filed.code, rating: '不满意' }),
  });
  assert.equal(twice.status, 409);
  assert.equal((await twice.json()).field, 'rating');
  await context.close();
});
