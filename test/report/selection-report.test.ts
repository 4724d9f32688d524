import {
  clusterMapCoordinates,
  metricRange,
  scoreTerms,
  selectionFacts,
  slotNote,
  selectionReport,
  spreadLabels,
  summaryLines,
  webUiLink,
} from '../../report/selection-report';
import type { SelectModelResult } from '../../contracts/schemas';
import { reportHtml, writePage, type PlotPage } from '../../report/plot-html';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeWithChromium, launchChromium } from '../helpers/chromium';
import { tempDir } from '../helpers/temp';

const CORRECTED = "score (validation + the model's usual gap to its final on other datasets, shrunk toward the history prior; metric scale)";

/** A finished prior-shrink-halving run, hand-made: round 1 halves c by the corrected score, round 2 (the budget) picks a over b. */
const result: SelectModelResult = {
  phase: 'done',
  target: 't',
  policy: 'prior-shrink-halving',
  direction: 'maximize',
  round: 2,
  budgetEpochs: 2,
  poolSize: 4,
  candidates: ['a', 'b', 'c'],
  pendingCandidates: [],
  survivors: ['a'],
  curves: { a: [0.5, 0.7], b: [0.56, 0.65], c: [0.45] },
  recallScores: { a: 2, b: 1, c: 0.5, d: -1 },
  eliminations: [
    {
      model: 'c',
      round: 1,
      epoch: 1,
      reason: 'halving',
      detail: `${CORRECTED} 0.5000 (validation 0.4500) at epoch 1 not in the top 2 of 3 (best validation 0.5600)`,
      outcome: 'eliminated by halving in round 1 (epoch 1)',
    },
    {
      model: 'b',
      round: 2,
      epoch: 2,
      reason: 'halving',
      detail: `${CORRECTED} 0.9000 (validation 0.6500) at the budget epoch 2: the policy picked a`,
      outcome: 'not picked at the budget epoch 2',
    },
  ],
  rounds: [
    {
      round: 1,
      epoch: 1,
      budgetEpochs: 2,
      scoreName: CORRECTED,
      rankedBy: 'score',
      cutoff: 0.8,
      models: [
        { model: 'a', validation: 0.5, score: 1.0291, fate: 'kept' },
        { model: 'b', validation: 0.56, score: 0.8, fate: 'kept' },
        { model: 'c', validation: 0.45, score: 0.5, fate: 'halving' },
      ],
    },
    {
      round: 2,
      epoch: 2,
      budgetEpochs: 2,
      scoreName: CORRECTED,
      rankedBy: 'score',
      cutoff: null,
      models: [
        { model: 'a', validation: 0.7, score: 0.95, fate: 'picked' },
        { model: 'b', validation: 0.65, score: 0.9, fate: 'not-picked' },
      ],
    },
  ],
  settings: {
    options: { recallSize: 3, eta: 2 },
    seed: 7,
    initialBudgetEpochs: 2,
    trainer: 'tfjs',
    maxParallel: 16,
    roundDeadline: '2h',
    heartbeatTimeout: '2m',
    metric: 'accuracy',
  },
  workflowId: 'select-t-1',
  namespace: 'default',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:04.500Z',
  warnings: ['recall fell back to the history prior'],
  gpuSeconds: { a: 3, b: 2, c: 1 },
  gpuSecondsSpent: 6,
  bruteForceGpuSeconds: 16,
  epochsSpent: 5,
  bruteForceEpochs: 8,
  pick: 'a',
  pickValidation: 0.7,
  pickTest: 0.68,
  storeVersion: 4,
  backend: 'wasm',
  reportPath: null,
};

const history = { models: ['a', 'b', 'c', 'd'], datasets: ['x', 'y'], values: Float64Array.from([1, 0, 0, 0.5, 0, 1, 0, 0.5]) };
const plots = (page: ReturnType<typeof selectionReport>): PlotPage[] => page.sections.filter((s): s is PlotPage => 'traces' in s);

describe('selection facts', () => {
  it('summarise pick with its own score, cost in epochs and GPU time', () => {
    expect(summaryLines(result)).toEqual([
      'Target t (accuracy maximized: higher is better), policy prior-shrink-halving, store version 4, backend wasm.',
      'Pick: a (validation 0.7000, test 0.6800, corrected accuracy 0.9500).',
      '4 models in the pool, 3 candidates, 2 round(s); 5 epochs spent vs 8 for brute force (38% saved); GPU time 6.0 s vs ~16 s for brute force.',
    ]);
  });

  it("give every round best first with the cutoff, and say why a score above an accuracy's maximum is no error", () => {
    const f = selectionFacts(result, 'http://127.0.0.1:8233/');
    const [r1, r2] = f.rounds;
    expect(r1).toMatchObject({ rankedBy: 'corrected accuracy', cutoff: 0.8, scoreName: 'corrected accuracy' });
    expect(r1?.models.map((m) => [m.model, m.note])).toEqual([
      ['a', 'kept: 1.0291 ≥ cutoff'],
      ['b', 'kept: 0.8000 ≥ cutoff'],
      ['c', 'halved: 0.5000 < cutoff 0.8000'],
    ]);
    expect(r1?.rangeNote).toMatch(
      /^a 1\.0291: outside \[0, 1\], the range of accuracy\. The corrected accuracy is a ranking score \(validation \+ the model's usual gap/,
    );
    expect(r2?.models.map((m) => m.note)).toEqual(['the pick', 'kept by the rung, not picked at the budget epoch']);
    expect(f.scores).toEqual({ 'corrected accuracy': CORRECTED.slice(7, -1) });
  });

  it('name outcomes, the run, its settings and link, and cut the score explanation out of each detail', () => {
    const f = selectionFacts(result, 'http://127.0.0.1:8233/');
    expect(f.candidates.map((c) => [c.model, c.outcome, c.gpuSeconds])).toEqual([
      ['a', 'the pick', 3],
      ['b', 'not picked at the budget epoch 2', 2],
      ['c', 'eliminated by halving in round 1 (epoch 1)', 1],
    ]);
    expect(f.run).toEqual({
      workflowId: 'select-t-1',
      namespace: 'default',
      webUi: 'http://127.0.0.1:8233/namespaces/default/workflows/select-t-1',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:04.500Z',
      wallSeconds: 4.5,
    });
    expect(f.settings).toMatchObject({ policy: 'prior-shrink-halving', recallSize: 3, eta: 2, seed: 7, trainer: 'tfjs', backend: 'wasm', metric: 'accuracy' });
    expect(f.eliminations[0]?.detail).toBe('corrected accuracy 0.5000 (validation 0.4500) at epoch 1 not in the top 2 of 3 (best validation 0.5600)');
    expect(f.recallSignal).toBe('the history prior (z-score of the mean standardized benchmark metric)');
    expect(selectionFacts({ ...result, settings: { ...result.settings!, options: { proxy: 'logme' } } }).recallSignal).toBe(
      'the LOGME proxy score on the target, combined with the history prior',
    );
    expect(selectionFacts({ ...result, policy: 'successive-halving', settings: { ...result.settings!, options: { eta: 2 } } }).recallSignal).toBeNull();
    expect(f.warnings).toEqual(['recall fell back to the history prior']);
  });

  it('read a result without round records (an older run) and derive its outcomes', () => {
    const old: SelectModelResult = {
      ...result,
      rounds: undefined,
      settings: undefined,
      eliminations: result.eliminations.map(({ outcome: _, ...e }) => e),
      gpuSeconds: undefined,
      gpuSecondsSpent: undefined,
    };
    const f = selectionFacts(old);
    expect(f.rounds).toEqual([]);
    expect(f.candidates.map((c) => c.outcome)).toEqual([
      'the pick',
      'eliminated by halving in round 2 (epoch 2)',
      'eliminated by halving in round 1 (epoch 1)',
    ]);
    expect(summaryLines(old)[0]).toBe('Target t (metric maximized: higher is better), policy prior-shrink-halving, store version 4, backend wasm.');
  });
});

describe('selection report page', () => {
  it("labels the convergence plot in the metric's terms, colours every model apart and labels each curve at its end", () => {
    const [curves] = plots(selectionReport({ ...result, direction: 'minimize' }, history, null));
    expect(curves?.layout).toMatchObject({ yaxis: { title: { text: 'validation accuracy (minimized: lower is better)' } } });
    const colours = curves?.traces.map((t) => (t.line as { color: string }).color);
    expect(new Set(colours).size).toBe(3);
    const notes = (curves?.layout as { annotations: { text: string; x: number }[] }).annotations;
    expect(notes.map((a) => [a.text, a.x])).toEqual([
      ['★ a', 2],
      ['✖ b', 2],
      ['✖ c', 1],
    ]);
  });

  it('names the signal that ranked recall and gives the clusters a legend', () => {
    const page = selectionReport(result, history, {
      models: ['a', 'b', 'c', 'd'],
      labels: [0, 0, 1, 1],
      representatives: new Map([
        [0, 'a'],
        [1, 'c'],
      ]),
    });
    const [, recall, clusters] = plots(page);
    expect(recall?.title).toBe('Recall: ranked by the history prior (z-score of the mean standardized benchmark metric)');
    expect(clusters?.traces.map((t) => t.name)).toEqual(['cluster 0 (2 models)', 'cluster 1 (2 models)']);
    expect(clusters?.layout).toMatchObject({ showlegend: true });
    const paper = selectionReport(
      { ...result, policy: 'two-phase-paper', recallScores: {}, settings: { ...result.settings!, options: { proxy: 'history-prior' } } },
      history,
      null,
    );
    expect(paper.sections.map((s) => ('html' in s ? s.html : '')).join('\n')).toContain(
      '<h2>Recall: ranked by the history prior (z-score of the mean standardized benchmark metric)</h2>\n<p>3 of 4 models recalled;',
    );
  });

  it('links the workflow in the web UI and states the cutoff of each round once', () => {
    const html = selectionReport(result, history, null, 'http://ui:8233')
      .sections.map((s) => ('html' in s ? s.html : ''))
      .join('\n');
    expect(html).toContain('<a href="http://ui:8233/namespaces/default/workflows/select-t-1">select-t-1</a>');
    expect(html).toContain('Round 1: epoch 1 of 2, 3 models, ranked by corrected accuracy; cutoff 0.8000 on corrected accuracy');
    expect(html.split('shrunk toward the history prior').length - 1).toBe(2); // the explanation once, plus the one range note
  });
});

describe('report helpers', () => {
  it('spread labels at least a gap apart, keeping their order and centre', () => {
    expect(spreadLabels([0.5, 0.5, 0.9], 0.1)).toEqual([expect.closeTo(0.45, 9), expect.closeTo(0.55, 9), expect.closeTo(0.9, 9)]);
  });

  it('know metric ranges and score terms', () => {
    expect(metricRange('accuracy')).toEqual({ min: 0, max: 1 });
    expect(metricRange('rmse')).toEqual({ min: 0, max: Infinity });
    expect(metricRange('bleu')).toBeNull();
    expect(scoreTerms('predicted final (mean final metric of the trend cluster on other datasets, metric scale)', 'rmse')).toEqual({
      name: 'predicted final rmse',
      explanation: 'mean final metric of the trend cluster on other datasets, metric scale',
    });
    expect(webUiLink('http://h:1/', 'ns', 'a/b')).toBe('http://h:1/namespaces/ns/workflows/a%2Fb');
  });

  it('name the candidates a proxy slot recalled below a model left out', () => {
    // recallScores a 2, b 1, c 0.5 recalled, d -1 left out: nothing below d
    expect(slotNote(result)).toBe('');
    const slotted = { ...result, candidates: ['a', 'b', 'e'], recallScores: { ...result.recallScores, e: -2 } };
    expect(slotNote(slotted)).toBe(
      ' Recalled below a model left out: e, by the proxy score on the target alone (a proxy slot for a model the history ranks low).',
    );
    expect(slotNote({ ...slotted, policy: 'two-phase-paper' })).toBe('');
  });

  it('maps models by their first two principal components', () => {
    // Three models on two datasets: a line along the first axis gives PC2 = 0.
    const { x, y } = clusterMapCoordinates({ models: ['a', 'b', 'c'], datasets: ['d1', 'd2'], values: Float64Array.from([0, 1, 2, 0, 1, 2]) });
    expect(x.map((v) => Math.abs(v))).toEqual([expect.closeTo(Math.SQRT2, 9), expect.closeTo(0, 9), expect.closeTo(Math.SQRT2, 9)]);
    expect(y.every((v) => Math.abs(v) < 1e-9)).toBe(true);
  });
});

describeWithChromium('a selection report copied alone renders offline', () => {
  it('is one file under 2 MB whose three plots, labels and tables render with the network off', async () => {
    const dir = tempDir('report');
    const file = join(dir, 'select.html');
    const clustering = {
      models: ['a', 'b', 'c', 'd'],
      labels: [0, 0, 1, 1],
      representatives: new Map([
        [0, 'a'],
        [1, 'c'],
      ]),
    };
    await writePage(file, reportHtml(selectionReport(result, history, clustering, 'http://127.0.0.1:8233')));
    expect(readdirSync(dir)).toEqual(['select.html']);
    expect(statSync(file).size).toBeLessThan(2 * 2 ** 20);
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ offline: true });
      const tab = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await tab.route(/^(?!file:)/, (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      await tab.goto(pathToFileURL(file).href);
      await tab.waitForFunction('document.querySelectorAll(".js-plotly-plot .main-svg").length >= 3', undefined, { timeout: 30000 });
      expect(await tab.locator('.js-plotly-plot').count()).toBe(3);
      expect(await tab.locator('.js-plotly-plot .annotation-text').allTextContents()).toEqual(expect.arrayContaining(['★ a', '✖ b', '✖ c']));
      expect(await tab.locator('.js-plotly-plot .legendtext').allTextContents()).toEqual(
        expect.arrayContaining(['cluster 0 (2 models)', 'cluster 1 (2 models)']),
      );
      expect(await tab.locator('h3').count()).toBe(2);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
