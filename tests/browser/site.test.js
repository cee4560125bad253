// The example site in a real browser, as a resident meets it: scan a poster's QR code on a phone,
// read the community's page and a record, file a complaint with JavaScript on and off, look the
// case up, and see a handler's reply. Every page a resident fills in or reads is checked with
// axe-core at WCAG 2.1 AA; screenshots go to tests/browser/artifacts/.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const h = require('./lib/harness');

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };
const BUDGET = 14 * 1024;
const SLUG = 'cuizhuyuan';

let root;
let serve;
let browser;
let community;
const filed = {};

function assertNoViolations(violations, what) {
  assert.deepEqual(violations, [], `${what}: axe-core found WCAG 2.1 AA violations:\n${JSON.stringify(violations, null, 2)}`);
}

function siteYaml() {
  return fs.readFileSync(path.join(root, 'content', 'site.yaml'), 'utf8');
}

before(async () => {
  root = h.copySite();
  // The published build (the site's own base_url), as CI would upload it.
  h.ydt(root, 'build');
  serve = await h.startServe(root);
  browser = await h.launchChromium();
  const yaml = fs.readFileSync(path.join(root, 'content', 'communities', SLUG, 'community.yaml'), 'utf8');
  community = {
    name: /^name:\s*(.+)$/m.exec(yaml)[1].trim(),
    phone: /^\s*phone:\s*"?([^"\n]+)"?$/m.exec(yaml)[1].trim(),
  };
});

after(async () => {
  if (browser) await browser.close();
  if (serve) serve.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

test('the QR code on the gate poster opens the community page on a phone', async () => {
  const svg = path.join(root, 'public', 'c', SLUG, 'qr-gate.svg');
  const scanned = h.decodeQr(svg);
  const baseUrl = /^base_url:\s*"?([^"\s]+)"?/m.exec(siteYaml())[1].replace(/\/$/, '');
  assert.equal(scanned, `${baseUrl}/c/${SLUG}/?from=gate`);
  const local = serve.origin + new URL(scanned).pathname + new URL(scanned).search;

  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const res = await page.goto(local);
  assert.equal(res.status(), 200);
  await assert.doesNotReject(page.getByRole('heading', { level: 1, name: community.name }).waitFor({ state: 'visible' }));
  assert.ok(await page.getByText(community.phone).first().isVisible(), `office phone ${community.phone} is visible`);
  const act = page.getByRole('link', { name: /我要监督/ }).first();
  assert.ok(await act.isVisible(), '我要监督 is visible');
  const box = await act.boundingBox();
  assert.ok(box.y + box.height <= 844, `我要监督 is on the first screen (bottom at ${box.y + box.height}px)`);
  assert.ok(box.height >= 48, `我要监督 is a big tap target (${box.height}px high)`);
  assert.ok(await page.getByRole('link', { name: '查询办理进度' }).first().isVisible(), '查询办理进度 is visible');
  const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  assert.ok(fontSize >= 18, `body text is at least 18px (${fontSize})`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px too wide)`);
  await h.screenshot(page, 'entry-phone');
  assertNoViolations(await h.axeViolations(page), 'entry page');
  await context.close();
});

test('a record page shows its table and links its CSV, JSON and the feed', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${serve.origin}/c/${SLUG}/`);
  const first = page.locator('main ul.list a').first();
  const href = await first.getAttribute('href');
  await first.click();
  await page.waitForURL((u) => u.pathname === href);
  assert.ok(await page.locator('table tbody tr').first().isVisible(), 'the record table is visible');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page itself does not scroll sideways (${overflow}px too wide)`);
  // On a phone each row is a card, each value labelled with its column.
  const cell = page.locator('table tbody tr').first().locator('td').nth(1);
  const [label, shown] = await cell.evaluate((td) => [td.dataset.label, getComputedStyle(td, '::before').content]);
  assert.ok(label, 'cells carry their column label');
  assert.equal(shown, JSON.stringify(label), 'the label shows beside the value');
  // On paper it is a bordered table again, without buttons.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('table').evaluate((t) => getComputedStyle(t).display), 'table');
  assert.equal(await page.locator('main .actions').first().evaluate((el) => getComputedStyle(el).display), 'none');
  await page.emulateMedia({ media: 'screen' });

  const csv = await page.getByRole('link', { name: '下载数据' }).getAttribute('href');
  const csvRes = await context.request.get(new URL(csv, page.url()).href);
  assert.equal(csvRes.status(), 200);
  const csvBytes = await csvRes.body();
  assert.deepEqual([...csvBytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'CSV starts with a UTF-8 BOM');
  const xlsx = await page.getByRole('link', { name: '下载表格（Excel）' }).getAttribute('href');
  const xlsxRes = await context.request.get(new URL(xlsx, page.url()).href);
  assert.equal(xlsxRes.status(), 200);
  assert.deepEqual([...(await xlsxRes.body()).subarray(0, 2)], [0x50, 0x4b], 'data.xlsx is a zip (an Office Open XML workbook)');
  // The JSON is for programs: beside the page, not offered to residents by a bare "JSON".
  assert.equal(await page.getByRole('link', { name: /JSON/ }).count(), 0);
  const jsonRes = await context.request.get(new URL('data.json', page.url()).href);
  assert.equal(jsonRes.status(), 200);
  const data = await jsonRes.json();
  assert.ok(Array.isArray(data.rows) && data.rows.length > 0, 'JSON has rows');

  await h.screenshot(page, 'record-phone');
  assertNoViolations(await h.axeViolations(page), 'record page');

  // 对这项公开有疑问 opens the form with the record's category chosen.
  await page.getByRole('link', { name: /对这项公开有疑问/ }).click();
  await page.waitForURL(`**/c/${SLUG}/jiandu/**`);
  assert.notEqual(await page.locator('#category').inputValue(), '', 'a category is chosen');
  assert.equal(await page.locator('input[name=record]').inputValue(), href.split('/').filter(Boolean).pop());

  // The feed stays for machines; residents' pages do not offer raw XML.
  await page.goto(`${serve.origin}/c/${SLUG}/`);
  assert.equal(await page.locator('a[href$="feed.xml"]').count(), 0, 'no feed link on the entry page');
  assert.equal(await page.getByRole('link', { name: /海报/ }).count(), 0, 'poster printing is for clerks');
  const feedRes = await context.request.get(`${serve.origin}/c/${SLUG}/feed.xml`);
  assert.equal(feedRes.status(), 200);
  const atom = await feedRes.text();
  assert.match(atom, /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/);
  assert.ok(atom.includes(href), 'the feed lists the record');
  await context.close();
});

test('every URL in sitemap.xml answers', async () => {
  const context = await browser.newContext();
  const res = await context.request.get(`${serve.origin}/sitemap.xml`);
  assert.equal(res.status(), 200);
  const locs = [...(await res.text()).matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
  assert.ok(locs.length > 10, `sitemap lists pages (${locs.length})`);
  for (const loc of locs) {
    const u = new URL(loc);
    const r = await context.request.get(serve.origin + u.pathname);
    assert.equal(r.status(), 200, `${u.pathname} from sitemap.xml`);
  }
  await context.close();
});

test('with JavaScript: the form checks the text, then files it and shows the receipt', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const scriptErrors = [];
  page.on('pageerror', (error) => scriptErrors.push(String(error)));
  await page.goto(`${serve.origin}/c/${SLUG}/`);
  await page.getByRole('link', { name: /我要监督/ }).first().click();
  await page.waitForURL(`**/c/${SLUG}/jiandu/`);
  assertNoViolations(await h.axeViolations(page), 'the form');
  await h.screenshot(page, 'form-phone');

  // The category list starts on 请选择, and offers only what the chosen type allows.
  const category = page.locator('#category');
  assert.equal(await category.inputValue(), '', 'no category is chosen for the resident');
  assert.equal(await category.locator('option').first().innerText(), '请选择');
  const allowed = (type) => page.evaluate((t) => {
    const manifestTypes = [...document.querySelectorAll('#category option')].slice(1)
      .map((o) => o.getAttribute('data-types'));
    return manifestTypes.every((types) => types.split(' ').includes(t));
  }, type);
  await page.getByLabel(/举报（/).check();
  assert.ok(await allowed('report'), 'after choosing 举报 only categories open to reports are offered');
  const reportCount = await category.locator('option').count();
  await page.getByLabel(/投诉（/).check();
  assert.ok(await allowed('complaint'), 'after choosing 投诉 only categories open to complaints are offered');
  assert.notEqual(await category.locator('option').count(), reportCount, 'the list changes with the type');
  await category.selectOption({ index: 1 });

  // Too short: the script stops it before it leaves the phone.
  await page.getByLabel('具体内容').fill('太短');
  await page.getByRole('button', { name: '提交' }).click();
  await page.locator('#ydt-error-body').waitFor({ state: 'visible' });
  assert.match(await page.locator('#ydt-error-body').innerText(), /至少/);
  assert.equal(new URL(page.url()).pathname, `/c/${SLUG}/jiandu/`);
  // The script's words are the server's own (the page carries them): the same input posted
  // straight to the API is refused with the same message, for the text and for a phone number
  // whose local part starts with 0.
  const serverSays = (fields) => page.evaluate(async (body) => {
    const answer = await fetch('/api/submissions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await answer.json()).error;
  }, {
    community: SLUG,
    type: 'complaint',
    category: fields.category,
    body: fields.body,
    anonymous: false,
    contact: fields.phone ? { name: null, phone: fields.phone } : null,
    idempotency_key: `drift-${Date.now()}`,
  });
  const chosen = await category.inputValue();
  assert.equal(
    await page.locator('#ydt-error-body').innerText(),
    await serverSays({ category: chosen, body: '太短' }),
  );
  await page.getByLabel('具体内容').fill('楼道灯坏了很久，请派人看看。');
  await page.getByLabel('电话', { exact: true }).fill('0551-0123456');
  await page.getByRole('button', { name: '提交' }).click();
  await page.locator('#ydt-error-contact_phone').waitFor({ state: 'visible' });
  assert.equal(
    await page.locator('#ydt-error-contact_phone').innerText(),
    await serverSays({ category: chosen, body: '楼道灯坏了很久，请派人看看。', phone: '0551-0123456' }),
  );
  assert.equal(new URL(page.url()).pathname, `/c/${SLUG}/jiandu/`);
  await page.getByLabel('电话', { exact: true }).fill('');
  // A counter under the text, instead of cutting it off without a word.
  await page.getByLabel('具体内容').fill('好'.repeat(2003));
  assert.match(await page.locator('#ydt-count-body').innerText(), /字数 2003\/2000.*超出 3 字/);
  await page.getByLabel('具体内容').fill('太短');
  assert.match(await page.locator('#ydt-count-body').innerText(), /字数 2\/2000/);
  await page.getByRole('button', { name: '提交' }).click();
  await h.screenshot(page, 'form-error-phone');
  assertNoViolations(await h.axeViolations(page), 'the form showing an error');

  await page.getByLabel('具体内容').fill('小区东门路灯坏了两个星期，晚上老人出门看不清路，请尽快修理。');
  await page.getByLabel('姓名', { exact: true }).fill('王*');
  await page.getByRole('button', { name: '提交' }).click();
  const receipt = page.locator('.ydt-receipt');
  await receipt.waitFor({ state: 'visible' });
  const big = await receipt.locator('.ydt-big').allInnerTexts();
  assert.match(big[0], /^\d{8}-\d{4}$/, 'case number');
  assert.match(big[1].replace(/\s/g, ''), /^\d{16}$/, 'query code');
  filed.js = { caseId: big[0], code: big[1].replace(/\s/g, '') };
  assert.match(await receipt.innerText(), /待受理/);
  await page.getByLabel('我已记下查询码').check();
  assert.ok(await page.getByRole('link', { name: /查询办理情况/ }).isVisible());
  await h.screenshot(page, 'receipt-js-phone');
  assertNoViolations(await h.axeViolations(page), 'the receipt (JavaScript)');
  assert.deepEqual(scriptErrors, [], 'form.js ran without errors');
  await context.close();
});

test('with JavaScript: a draft survives a reload, and a failed post is retried with the same key', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const body = '楼道里堆放杂物很多，存在消防隐患，请社区尽快组织清理。';
  await page.goto(`${serve.origin}/c/${SLUG}/jiandu/`);
  await page.locator('#category').selectOption({ index: 1 });
  const chosen = await page.locator('#category').inputValue();
  await page.getByLabel('具体内容').fill(body);
  await page.reload();
  assert.equal(await page.getByLabel('具体内容').inputValue(), body, 'the draft is restored after a reload');
  assert.equal(await page.locator('#category').inputValue(), chosen, 'with the category chosen');

  // The first post meets a storage fault (503); the script must try again with the same key.
  const keys = [];
  await page.route('**/api/submissions', async (route) => {
    keys.push(JSON.parse(route.request().postData()).idempotency_key);
    if (keys.length === 1) {
      await route.fulfill({ status: 503, headers: { 'Retry-After': '1', 'Content-Type': 'application/json' }, body: '{"error":"暂时无法保存","field":null}' });
    } else {
      await route.continue();
    }
  });
  await page.getByRole('button', { name: '提交' }).click();
  await page.locator('.ydt-receipt').waitFor({ state: 'visible', timeout: 20_000 });
  assert.equal(keys.length, 2, 'one failed post, one retry');
  assert.ok(keys[0] && keys[0] === keys[1], `the retry carries the same idempotency_key (${keys.join(' / ')})`);
  await page.reload();
  assert.equal(await page.getByLabel('具体内容').inputValue(), '', 'the draft is dropped once the case is filed');
  await context.close();
});

test('without JavaScript: the same form posts and the answer page is a receipt', async () => {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${serve.origin}/c/${SLUG}/jiandu/`);
  await page.getByLabel(/建议/).check();
  await page.locator('#category').selectOption({ index: 1 });
  const chosen = await page.locator('#category').inputValue();
  const typed = '建议在社区服务大厅增加几把座椅，方便老人排队时休息。';
  await page.getByLabel('具体内容').fill(typed);
  // A phone number the server refuses: the answer is the form again, filled in, the message
  // beside the phone field.
  await page.getByLabel('电话', { exact: true }).fill('0551-0123456');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交' }).click()]);
  assert.equal(new URL(page.url()).pathname, '/api/submissions');
  assert.equal(await page.getByLabel('具体内容').inputValue(), typed, 'the text is still there');
  assert.equal(await page.locator('#category').inputValue(), chosen, 'the category is still chosen');
  assert.ok(await page.getByLabel(/建议/).isChecked(), 'the type is still chosen');
  assert.equal(await page.getByLabel('电话', { exact: true }).inputValue(), '0551-0123456');
  assert.match(await page.locator('#err-contact_phone').innerText(), /电话号码不对/);
  await h.screenshot(page, 'refusal-nojs-phone');
  const refusalHtml = await page.content();
  await page.getByLabel('电话', { exact: true }).fill('');
  await page.getByLabel(/匿名提交/).check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交' }).click()]);
  assert.equal(new URL(page.url()).pathname, '/api/submissions');
  const text = await page.locator('body').innerText();
  const caseId = /\b(\d{8}-\d{4})\b/.exec(text);
  const code = /(\d{4} \d{4} \d{4} \d{4})/.exec(text);
  assert.ok(caseId, `a case number on the answer page:\n${text}`);
  assert.ok(code, `a query code on the answer page:\n${text}`);
  assert.match(text, /建议已收到/);
  filed.plain = { caseId: caseId[1], code: code[1].replace(/\s/g, '') };
  await h.screenshot(page, 'receipt-nojs-phone');
  // axe-core is a script: check the same answer page in a context that runs scripts.
  const html = await page.content();
  const checker = await browser.newContext(PHONE);
  const check = await checker.newPage();
  await check.setContent(html);
  assertNoViolations(await h.axeViolations(check), 'the receipt (no JavaScript)');
  await check.setContent(refusalHtml);
  assertNoViolations(await h.axeViolations(check), 'the refused form, filled in (no JavaScript)');
  await checker.close();
  await context.close();
});

test('with JavaScript: a refusal from the server lands beside its field, with focus there', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  // The server's answer for a field the script cannot judge by itself.
  await page.route('**/api/submissions', (route) => route.fulfill({
    status: 400,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ error: '姓名里有无法显示的控制字符，请删除后再提交', field: 'contact_name' }),
  }));
  await page.goto(`${serve.origin}/c/${SLUG}/jiandu/`);
  await page.locator('#category').selectOption({ index: 1 });
  await page.getByLabel('具体内容').fill('小区南门的垃圾桶满了三天没人清运，气味很大。');
  await page.getByLabel('姓名', { exact: true }).fill('李*');
  await page.getByRole('button', { name: '提交' }).click();
  const note = page.locator('#ydt-error-contact_name');
  await note.waitFor({ state: 'visible' });
  assert.equal(await note.innerText(), '姓名里有无法显示的控制字符，请删除后再提交');
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'contact_name', 'focus moved to the field');
  assert.equal(await note.getAttribute('role'), 'alert', 'announced to screen readers');
  assert.equal(await page.getByRole('button', { name: '提交' }).isDisabled(), false, 'the button is usable again');
  await context.close();
});

test('with JavaScript: a mangled link to the form does not stop its script', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${serve.origin}/c/${SLUG}/jiandu/?category=%E0%A4%A&record=%zz`);
  await page.locator('#ydt-count-body').waitFor({ state: 'attached' });
  assert.deepEqual(errors, [], 'form.js ran without errors');
  assert.equal(await page.locator('#category').inputValue(), '', 'nothing is chosen from a mangled link');
  await context.close();
});

test('phone numbers residents see are links a phone can call', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  // A notice body that gives a landline.
  const notices = fs.readdirSync(path.join(root, 'content', 'communities', SLUG, 'notices'));
  const withPhone = notices.find((f) => /0\d{2,3}-\d{7,8}/.test(fs.readFileSync(path.join(root, 'content', 'communities', SLUG, 'notices', f), 'utf8')));
  assert.ok(withPhone, 'the example has a notice that gives a phone number');
  const number = /0\d{2,3}-\d{7,8}/.exec(fs.readFileSync(path.join(root, 'content', 'communities', SLUG, 'notices', withPhone), 'utf8'))[0];
  await page.goto(`${serve.origin}/c/${SLUG}/notices/${withPhone.replace(/\.md$/, '')}/`);
  assert.equal(await page.locator(`.notice-body a[href="tel:${number}"]`).count() > 0, true, `${number} in the notice is a tel: link`);
  // The lookup page's hint and the supervising body's line.
  await page.goto(`${serve.origin}/track/`);
  assert.ok(await page.locator('main a[href^="tel:"]').count() > 0, 'the lookup page links the phone it gives');
  await context.close();
});

test('at 200 % zoom on a 360 px phone no page scrolls sideways', async () => {
  // 200 % of 360 px leaves 180 CSS px of layout width; every page of the sitemap, every record kind.
  // Not in mobile emulation: there the layout viewport grows to fit what is too wide, which hides
  // the very overflow looked for.
  const context = await browser.newContext({ viewport: { width: 180, height: 740 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const res = await context.request.get(`${serve.origin}/sitemap.xml`);
  const paths = [...(await res.text()).matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]).pathname);
  const kinds = new Set();
  const wide = [];
  for (const p of paths) {
    await page.goto(serve.origin + p);
    const kind = await page.locator('table td[data-label]').count() ? p : null;
    if (kind) kinds.add((await page.locator('.crumbs').innerText()).split('·')[1]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 0) wide.push(`${p} (${overflow}px)`);
  }
  assert.ok(kinds.size >= 4, `record pages of every kind were looked at (${[...kinds].join('、')})`);
  assert.deepEqual(wide, [], 'pages that scroll sideways at 180 CSS px');
  await context.close();
});

test('a small power\'s steps are a flowchart of boxes in order, read as an ordered list, at 200 % zoom', async () => {
  const context = await browser.newContext({ viewport: { width: 180, height: 740 }, locale: 'zh-CN' });
  const page = await context.newPage();
  for (const p of ['/quanli/dibao-shenqing/', `/c/${SLUG}/quanli/laonian-zhucan/`]) {
    await page.goto(serve.origin + p);
    assert.equal(await page.locator('script:not([src])').count(), 0, `${p}: no inline script`);
    // A screen reader meets one ordered list whose items are the steps.
    const list = page.getByRole('list', { name: /办理流程/ });
    assert.equal(await list.count(), 1, `${p}: the flowchart is a named list`);
    assert.equal(await list.evaluate((el) => el.tagName), 'OL', `${p}: an ordered list`);
    const items = list.getByRole('listitem');
    const n = await items.count();
    assert.ok(n >= 3, `${p}: its steps are list items (${n})`);
    // Boxes one under the other, each inside the screen, each with an arrow to the next but the last.
    let previousBottom = -Infinity;
    for (let i = 0; i < n; i++) {
      const item = items.nth(i);
      const box = await item.boundingBox();
      assert.ok(box.y > previousBottom, `${p}: step ${i + 1} is below step ${i}`);
      assert.ok(box.x >= 0 && box.x + box.width <= 180, `${p}: step ${i + 1} fits 180 CSS px`);
      assert.ok(await item.evaluate((el) => el.scrollWidth <= el.clientWidth), `${p}: step ${i + 1} does not overflow its box`);
      const arrow = await item.evaluate((el) => getComputedStyle(el, '::after').borderTopWidth);
      if (i < n - 1) assert.notEqual(arrow, '0px', `${p}: an arrow leaves step ${i + 1}`);
      previousBottom = box.y + box.height;
    }
    assert.match(await items.first().innerText(), /第1步/);
    assertNoViolations(await h.axeViolations(page), p);
  }
  await h.screenshot(page, 'quanli-180px');
  await context.close();
});

test('the lookup shows status, who handles it, the due date, and a handler\'s reply', async () => {
  assert.ok(filed.js, 'a case was filed by the JavaScript test');
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();

  async function lookUp(caseId, code) {
    await page.goto(`${serve.origin}/track/`);
    await page.getByLabel('案件编号').fill(caseId);
    await page.getByLabel('查询码').fill(code);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '查询' }).click()]);
    return page.locator('body').innerText();
  }

  await page.goto(`${serve.origin}/track/`);
  assertNoViolations(await h.axeViolations(page), 'the lookup page');
  await h.screenshot(page, 'track-phone');

  let text = await lookUp(filed.js.caseId, filed.js.code);
  assert.match(text, new RegExp(`案件 ${filed.js.caseId}`));
  assert.match(text, /待受理/);
  assert.match(text, /办理单位/);
  assert.match(text, /\d{4}-\d{2}-\d{2} 前/);
  assert.match(text, /还没有答复/);

  const reply = '路灯已于今日修复，感谢您的监督。';
  h.ydt(root, 'cases', 'set', filed.js.caseId, '--status', '已办结', '--reply', reply);
  text = await lookUp(filed.js.caseId, filed.js.code);
  assert.match(text, /已办结/);
  assert.ok(text.includes(reply), `the reply shows in the lookup:\n${text}`);
  await h.screenshot(page, 'track-answer-phone');
  assertNoViolations(await h.axeViolations(page), 'the lookup answer');

  // A code off by one digit finds nothing, and says so without telling which part was wrong.
  const wrong = filed.js.code.slice(0, 15) + String((Number(filed.js.code[15]) + 1) % 10);
  text = await lookUp(filed.js.caseId, wrong);
  assert.ok(!text.includes(reply), 'a wrong code never shows the reply');

  if (filed.plain) {
    text = await lookUp(filed.plain.caseId, filed.plain.code);
    assert.match(text, new RegExp(`案件 ${filed.plain.caseId}`));
  }
  await context.close();
});

test('the other pages a resident may open pass axe-core too', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${serve.origin}/c/${SLUG}/notices/`);
  const notice = await page.locator('main ul.list a').first().getAttribute('href');
  for (const url of ['/', '/help/', `/c/${SLUG}/notices/`, notice, '/404.html', `/c/${SLUG}/poster/gate/`]) {
    const res = await page.goto(serve.origin + url);
    assert.equal(res.status(), 200, url);
    assertNoViolations(await h.axeViolations(page), url);
  }
  await context.close();
});

test('the W3C Nu HTML checker finds no error in any built page nor in the function\'s answers', async () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'ydt-nu-'));
  try {
    fs.cpSync(path.join(root, 'public'), path.join(dir, 'site'), { recursive: true });
    // The function's own pages: a receipt, a refusal and a lookup answer, as a phone gets them.
    const context = await browser.newContext();
    const form = (fields) => context.request.post(`${serve.origin}/api/submissions`, { form: fields });
    const receipt = await form({ community: SLUG, type: 'suggestion', category: 'disclosure', body: '公开栏的字太小，建议放大一些，方便老人看。', anonymous: 'on' });
    assert.equal(receipt.status(), 201);
    fs.writeFileSync(path.join(dir, 'receipt.html'), await receipt.text());
    const refusal = await form({ community: SLUG, type: 'complaint', category: 'disclosure', body: '短' });
    assert.equal(refusal.status(), 400);
    fs.writeFileSync(path.join(dir, 'refusal.html'), await refusal.text());
    const receiptText = fs.readFileSync(path.join(dir, 'receipt.html'), 'utf8');
    const caseId = /(\d{8}-\d{4})/.exec(receiptText)[1];
    const code = /(\d{4} \d{4} \d{4} \d{4})/.exec(receiptText)[1].replace(/\s/g, '');
    const track = await context.request.post(`${serve.origin}/api/track`, { form: { case_id: caseId, query_code: code } });
    assert.equal(track.status(), 200);
    fs.writeFileSync(path.join(dir, 'track.html'), await track.text());
    await context.close();

    const jar = require.resolve('vnu-jar/build/dist/vnu.jar');
    const run = require('node:child_process').spawnSync('java', ['-jar', jar, '--errors-only', '--skip-non-html', '--format', 'json', dir], { encoding: 'utf8' });
    assert.ok(run.status === 0 || run.status === 1, `vnu ran: ${run.stderr}`);
    const messages = JSON.parse(run.stderr || '{"messages":[]}').messages
      .map((m) => `${path.relative(dir, new URL(m.url).pathname)}:${m.lastLine}: ${m.message}`);
    assert.deepEqual(messages, [], 'Nu HTML checker errors');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every community entry page, with its CSS, is at most 14 KB gzipped', () => {
  const publicDir = path.join(root, 'public');
  const slugs = fs.readdirSync(path.join(root, 'content', 'communities'));
  assert.ok(slugs.length >= 3);
  const sizes = {};
  for (const slug of slugs) {
    const html = fs.readFileSync(path.join(publicDir, 'c', slug, 'index.html'));
    const parts = [html];
    for (const m of html.toString('utf8').matchAll(/<link[^>]+rel=["']?stylesheet["']?[^>]*>/g)) {
      const href = /href=["']?([^"'\s>]+)/.exec(m[0])[1];
      parts.push(fs.readFileSync(path.join(publicDir, new URL(href, 'http://x/').pathname)));
    }
    const gz = zlib.gzipSync(Buffer.concat(parts), { level: 9 }).length;
    sizes[slug] = gz;
    assert.ok(gz <= BUDGET, `/c/${slug}/ is ${gz} bytes gzipped, over the ${BUDGET}-byte budget`);
  }
  console.log(`entry page weights (gzip, HTML + CSS): ${JSON.stringify(sizes)}`);
});

test('a clerk\'s saved change reloads the open page, under the pages\' Content-Security-Policy', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${serve.origin}/c/qingshui/`);
  const file = path.join(root, 'content', 'communities', 'qingshui', 'community.yaml');
  const before = fs.readFileSync(file, 'utf8');
  const reloaded = page.waitForNavigation({ timeout: 60000 });
  fs.writeFileSync(file, before.replace('name: 清水苑社区', 'name: 清水苑社区（预览）'));
  try {
    await reloaded;
    assert.match(await page.textContent('h1'), /清水苑社区（预览）/);
    assert.deepEqual(errors, [], 'the live-reload script ran without a policy violation');
  } finally {
    fs.writeFileSync(file, before);
    await context.close();
  }
});
