import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { plotHtml, plotlyFileName, plotlySource, reportHtml, writePage } from '../../report/plot-html';
import { describeWithChromium, launchChromium } from '../helpers/chromium';
import { tempDir } from '../helpers/temp';

const page = {
  title: 'Regret <vs> cost',
  traces: [{ type: 'scatter', x: [1, 2], y: [3, 4], name: '</script>' }],
  layout: { xaxis: { title: { text: 'cost' } } },
  caption: 'a & b',
};

describe('plotHtml', () => {
  it('inlines the given plotly source and the escaped traces and layout', () => {
    const html = plotHtml(page, { inline: 'window.Plotly = {}; "</script>"' });
    expect(html).toContain('<title>Regret &#60;vs&#62; cost</title>');
    expect(html).toContain('<script>window.Plotly = {}; "<\\/script>"</script>');
    expect(html).toContain(
      `if (window.Plotly) Plotly.newPlot('plot0', [{"type":"scatter","x":[1,2],"y":[3,4],"name":"\\u003c/script>"}], {"title":{"text":"Regret \\u003cvs> cost"},"xaxis":{"title":{"text":"cost"}}}, {responsive: true}); else`,
    );
    expect(html).toContain('a &#38; b');
    expect(html.match(/<\/script>/g)?.length).toBe(2);
  });

  it('inlines the basic plotly bundle by default: one self-contained file well under 2 MB', () => {
    const html = plotHtml(page);
    expect(plotlySource()).toMatch(/plotly\.js \(basic - minified\) v\d+/);
    expect(html).toContain(plotlySource().slice(0, 200));
    expect(Buffer.byteLength(html)).toBeLessThan(1.5 * 2 ** 20);
    expect(html).not.toContain('<script src=');
  });

  it('loads plotly from the versioned file beside the page when asked to, and says so where a chart cannot load', () => {
    expect(plotlyFileName()).toMatch(/^plotly-basic-\d+\.\d+\.\d+\.min\.js$/);
    const html = plotHtml(page, { src: plotlyFileName() });
    expect(html).toContain(`<script src="${plotlyFileName()}"></script>`);
    expect(html).toContain('This chart needs plotly.js, which did not load');
    expect(html.length).toBeLessThan(2500);
  });
});

describe('writePage', () => {
  it('writes a self-contained page alone', async () => {
    const dir = tempDir('report');
    await writePage(join(dir, 'a.html'), plotHtml(page));
    expect(readdirSync(dir)).toEqual(['a.html']);
  });

  it('writes one plotly file per folder for pages that load it', async () => {
    const dir = tempDir('report');
    const src = { src: plotlyFileName() };
    await writePage(join(dir, 'a.html'), plotHtml(page, src));
    const plotly = join(dir, plotlyFileName());
    const written = statSync(plotly).mtimeMs;
    await writePage(join(dir, 'b.html'), reportHtml({ title: 'b', sections: [page] }, src));
    expect(readdirSync(dir).sort()).toEqual(['a.html', 'b.html', plotlyFileName()].sort());
    expect(statSync(plotly).mtimeMs).toBe(written);
    expect(statSync(plotly).size).toBe(Buffer.byteLength(plotlySource()));
  });
});

describeWithChromium('a written report renders its plots offline', () => {
  it('draws every plot of a page copied alone, with no network', async () => {
    const dir = tempDir('report');
    const file = join(dir, 'report.html');
    await writePage(file, reportHtml({ title: 'two plots', sections: [page, { ...page, title: 'second' }] }));
    expect(existsSync(join(dir, plotlyFileName()))).toBe(false);
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ offline: true });
      const tab = await context.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await tab.route(/^(?!file:)/, (route) => route.abort());
      await tab.goto(pathToFileURL(file).href);
      await tab.waitForSelector('.js-plotly-plot .main-svg', { timeout: 30000 });
      expect(await tab.locator('.js-plotly-plot').count()).toBe(2);
      expect(await tab.locator('.js-plotly-plot .scatterlayer .trace').count()).toBe(2);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
