// What the browser tests stand on: the real `ydt` binary, a copy of the example site in a temp
// root, `ydt serve` on a free loopback port, headless Debian Chromium and axe-core. Nothing here
// reaches beyond 127.0.0.1.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..', '..');
const ARTIFACTS = path.join(__dirname, '..', 'artifacts');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The `ydt` binary tests/run built: $CARGO_TARGET_DIR/debug/ydt, else target/debug/ydt. */
function ydtBinary() {
  const candidates = [];
  if (process.env.YDT_BIN) candidates.push(process.env.YDT_BIN);
  if (process.env.CARGO_TARGET_DIR) candidates.push(path.join(process.env.CARGO_TARGET_DIR, 'debug', 'ydt'));
  candidates.push(path.join(REPO, 'target', 'debug', 'ydt'));
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(`no ydt binary at ${candidates.join(' or ')}: run \`cargo build -p ydt\` first (tests/run does)`);
  }
  return found;
}

function ydt(root, ...args) {
  return execFileSync(ydtBinary(), [...args, '--root', root], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A temp site root holding copies of the example content/ and themes/. */
function copySite() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ydt-browser-'));
  for (const dir of ['content', 'themes']) {
    fs.cpSync(path.join(REPO, dir), path.join(root, dir), { recursive: true });
  }
  return root;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `ydt serve` and polls until it answers; the returned object stops it. */
async function startServe(root) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const log = [];
  const child = spawn(ydtBinary(), ['serve', '--root', root, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // A test run files more cases than a resident would; the limit itself is the function's tests' job.
    env: { ...process.env, YDT_SUBMISSIONS_PER_WINDOW: '100', YDT_LOOKUPS_PER_WINDOW: '300' },
  });
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  let exited = null;
  child.on('exit', (code) => { exited = code; });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited !== null) throw new Error(`ydt serve exited with ${exited}:\n${log.join('')}`);
    try {
      const res = await fetch(`${origin}/`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`ydt serve did not answer on ${origin} within 120 s:\n${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    origin,
    log,
    stop() {
      if (exited === null) child.kill('SIGTERM');
    },
  };
}

/**
 * Headless Debian Chromium. playwright-core gives every launch a fresh temporary profile
 * (user-data-dir) and removes it on close.
 */
async function launchChromium() {
  const { chromium } = require('playwright-core');
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium chromium-driver (tests/run does)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** The URL a printed QR code leads to: rsvg-convert renders the SVG, zbarimg reads it. */
function decodeQr(svgPath) {
  const png = path.join(os.tmpdir(), `ydt-qr-${process.pid}-${path.basename(svgPath)}.png`);
  execFileSync('rsvg-convert', ['--width', '600', '--background-color', 'white', '-o', png, svgPath]);
  try {
    return execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8' }).trim();
  } finally {
    fs.rmSync(png, { force: true });
  }
}

/** Runs axe-core in the page; returns its WCAG 2.1 AA violations in a readable form. */
async function axeViolations(page) {
  const axePath = require.resolve('axe-core/axe.min.js');
  await page.addScriptTag({ path: axePath }).catch(() => {});
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    // A Content-Security-Policy without 'unsafe-inline' refuses the injected tag; evaluating
    // through the DevTools protocol is not subject to it.
    await page.evaluate(fs.readFileSync(axePath, 'utf8'));
  }
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
    }));
  }, AXE_TAGS);
  return violations;
}

/** Saves the first screen (`<name>.png`, what a resident sees on opening) and the whole page. */
async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-full.png`), fullPage: true });
}

module.exports = {
  REPO,
  ARTIFACTS,
  axeViolations,
  copySite,
  decodeQr,
  launchChromium,
  screenshot,
  startServe,
  ydt,
  ydtBinary,
};
