// Renders media/icon.svg to media/icon.png (256×256, transparent corners) with Chromium, for the
// Marketplace, which takes PNG icons only. Run after changing the SVG: node scripts/render-icon.mjs
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const svg = readFileSync(resolve(root, 'media/icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 256, height: 256 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await page.locator('svg').screenshot({ path: resolve(root, 'media/icon.png'), omitBackground: true });
await browser.close();
console.log('Wrote media/icon.png');
