/**
 * Shared by the web end-to-end test and bench/web: build the page once (skipped when web/dist
 * is newer than every source it is made from), launch Debian's chromium through playwright-core
 * (never a downloaded browser) with a fresh profile, and serve files on 127.0.0.1.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'web', 'dist');
export const INDEX = join(DIST, 'index.html');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'web');
export const CHROMIUM = process.env.WIRETRAIL_CHROMIUM ?? '/usr/bin/chromium';

function newestMtime(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of readdirSync(path)) {
    if (e === 'node_modules' || e === 'dist' || e === 'test' || e === 'scratch') continue;
    m = Math.max(m, newestMtime(join(path, e)));
  }
  return m;
}

/** Builds web/dist unless it is newer than web/ and src/ (one build per test run at most). */
export async function ensureBuilt(): Promise<{ built: boolean; ms: number }> {
  const t0 = performance.now();
  const sources = Math.max(
    newestMtime(join(ROOT, 'web')),
    newestMtime(join(ROOT, 'src')),
    newestMtime(join(ROOT, 'package-lock.json')),
  );
  if (existsSync(INDEX) && statSync(INDEX).mtimeMs > sources) return { built: false, ms: 0 };
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
  return { built: true, ms: performance.now() - t0 };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** A fresh chromium profile and one page; page errors and console errors are collected. */
export async function launch(
  options: { width?: number; height?: number; offline?: boolean } = {},
): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (it is in .ci/packages.txt)`);
  const profile = mkdtempSync(join(tmpdir(), 'wiretrail-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: options.width ?? 1600, height: options.height ?? 1000 },
    acceptDownloads: true,
  });
  if (options.offline === true) {
    // Nothing may come from the network: only the file itself, blobs and data URLs.
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith('file:') || u.startsWith('blob:') || u.startsWith('data:'))
        return route.continue();
      return route.abort();
    });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** Waits for the app probe, then for the run started by Enter to finish. */
export async function runFromAddressBar(
  page: Page,
  input: string,
  timeout = 60_000,
): Promise<void> {
  await page.waitForFunction(
    () => (globalThis as unknown as { wiretrail?: unknown }).wiretrail !== undefined,
  );
  const before = await page.evaluate(() =>
    (globalThis as unknown as { wiretrail: { run(): unknown } }).wiretrail.run(),
  );
  void before;
  await page.fill('#address', input);
  await page.press('#address', 'Enter');
  await page.waitForFunction(
    () => {
      const s = (
        globalThis as unknown as {
          wiretrail: { state(): { running: boolean; hasRun: boolean; error?: string } };
        }
      ).wiretrail.state();
      return !s.running && (s.hasRun || s.error !== undefined);
    },
    null,
    { timeout },
  );
}
