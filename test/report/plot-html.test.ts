import { plotHtml, plotlySource } from '../../report/plot-html';

describe('plotHtml', () => {
  const page = { title: 'Regret <vs> cost', traces: [{ type: 'scatter', x: [1, 2], y: [3, 4], name: '</script>' }], layout: { xaxis: { title: { text: 'cost' } } }, caption: 'a & b' };

  it('inlines the given plotly source and the escaped traces and layout', () => {
    const html = plotHtml(page, 'window.Plotly = {}; "</script>"');
    expect(html).toContain('<title>Regret &#60;vs&#62; cost</title>');
    expect(html).toContain('<script>window.Plotly = {}; "<\\/script>"</script>');
    expect(html).toContain(`Plotly.newPlot('plot0', [{"type":"scatter","x":[1,2],"y":[3,4],"name":"\\u003c/script>"}], {"title":{"text":"Regret \\u003cvs> cost"},"xaxis":{"title":{"text":"cost"}}}, {responsive: true});`);
    expect(html).toContain('a &#38; b');
    expect(html.match(/<\/script>/g)?.length).toBe(2);
  });

  it('reads the installed plotly bundle by default', () => {
    const source = plotlySource();
    expect(source).toMatch(/plotly\.js v\d+/);
    expect(plotHtml({ title: 't', traces: [] }).length).toBeGreaterThan(source.length);
  });
});
