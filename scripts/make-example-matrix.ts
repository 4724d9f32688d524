/**
 * Writes the small synthetic "bring your own hub" example under examples/byoh/ (used by
 * docs/bring-your-own-hub.md): a long performance CSV with final accuracy and per-epoch
 * validation curves, the same matrix wide without curves, and LogME-like proxy scores, all with
 * hub-style ids (`acme/encoder-03`, `glue/sst2`). Generated from replay/synthetic.ts, seeded, so
 * the files are reproducible:
 *
 *   npx ts-node --transpile-only scripts/make-example-matrix.ts [outDir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatCsv } from '../interop/delimited';
import { syntheticRecordedHub } from '../replay/synthetic';

const ORGS = ['acme', 'contoso', 'initech', 'umbrella'];
const DATASETS = ['glue/sst2', 'glue/cola', 'glue/mrpc', 'glue/qnli', 'super_glue/boolq', 'tweet_eval/emotion', 'imdb', 'ag_news'];

/** The example files by name → text. */
export function exampleFiles(): Map<string, string> {
  const hub = syntheticRecordedHub({ models: 24, datasets: DATASETS.length, epochs: 5, families: ORGS.length, missing: 0.08, seed: 16 });
  const modelId = new Map(hub.runs.models.map((m, i) => [m, `${ORGS[i % ORGS.length] ?? 'org'}/encoder-${String(i).padStart(2, '0')}`]));
  const datasetId = new Map(hub.runs.datasets.map((d, i) => [d, DATASETS[i] ?? d]));
  const id = (map: Map<string, string>, k: string): string => map.get(k) ?? k;
  const runs = [...hub.runs.runs].sort(
    (a, b) => id(datasetId, a.dataset).localeCompare(id(datasetId, b.dataset)) || id(modelId, a.model).localeCompare(id(modelId, b.model)),
  );
  const long = formatCsv([
    ['model', 'dataset', 'accuracy', 'ep1', 'ep2', 'ep3', 'ep4', 'ep5'],
    ...runs.map((r) => [id(modelId, r.model), id(datasetId, r.dataset), r.test === null ? '' : String(r.test), ...r.val.map(String)]),
  ]);
  const datasets = [...datasetId.values()];
  const models = [...modelId.values()].sort();
  const at = new Map(runs.map((r) => [`${id(modelId, r.model)} ${id(datasetId, r.dataset)}`, r.test]));
  const wide = formatCsv([
    ['model', ...datasets],
    ...models.map((m) => [
      m,
      ...datasets.map((d) => {
        const v = at.get(`${m} ${d}`);
        return v === undefined || v === null ? '' : String(v);
      }),
    ]),
  ]);
  const proxyRows: string[][] = [['model', 'dataset', 'proxy', 'value']];
  for (const [target, scores] of hub.proxies.get('leep') ?? new Map<string, ReadonlyMap<string, number>>()) {
    for (const [model, value] of scores) proxyRows.push([id(modelId, model), id(datasetId, target), 'logme', String(value)]);
  }
  return new Map([
    ['performance.csv', long],
    ['final-accuracy-wide.csv', wide],
    ['logme.csv', formatCsv(proxyRows)],
  ]);
}

if (require.main === module) {
  const dir = resolve(process.argv[2] ?? join(__dirname, '..', 'examples', 'byoh'));
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of exampleFiles()) writeFileSync(join(dir, name), text);
  process.stdout.write(`wrote ${[...exampleFiles().keys()].join(', ')} to ${dir}\n`);
}
