import { parseImport, ImportFormatError, planImport, describePlan } from '../../interop';

const EMPTY = { version: 0, models: new Set<string>(), datasets: new Map(), cells: new Map(), proxies: new Map() };

function messageOf(file: string, text: string): string {
  try {
    parseImport(file, text);
  } catch (e) {
    expect(e).toBeInstanceOf(ImportFormatError);
    return (e as Error).message;
  }
  throw new Error('parseImport accepted the file');
}

describe('parseImport: the three shapes', () => {
  it('reads a long CSV with a metric-named value column, curves, split and direction; an empty value is null', () => {
    const p = parseImport(
      'perf.csv',
      'model,dataset,accuracy,ep1,ep2,split,direction\norg/a,glue/sst2,0.9,0.8,0.85,test,maximize\norg/b,glue/sst2,,0.7,,test,\n',
    );
    expect(p.shape).toBe('long');
    expect(p.cells).toEqual([
      { model: 'org/a', dataset: 'glue/sst2', value: 0.9, curve: [0.8, 0.85], line: 2 },
      { model: 'org/b', dataset: 'glue/sst2', value: null, curve: [0.7], line: 3 },
    ]);
    expect(p.datasets).toEqual([{ id: 'glue/sst2', metric: 'accuracy', direction: 'maximize', split: 'test' }]);
  });

  it('reads an optional seconds column: wall seconds of one epoch of the run (empty = unknown)', () => {
    const p = parseImport('timed.csv', 'model,dataset,value,ep1,ep2,seconds\na,d,0.9,0.8,0.85,12.5\nb,d,0.7,0.6,0.7,\n');
    expect(p.cells).toEqual([
      { model: 'a', dataset: 'd', value: 0.9, curve: [0.8, 0.85], line: 2, secondsPerEpoch: 12.5 },
      { model: 'b', dataset: 'd', value: 0.7, curve: [0.6, 0.7], line: 3 },
    ]);
  });

  it('reads a wide TSV matrix: empty means never run', () => {
    const p = parseImport('m.tsv', 'model\tglue/sst2\tglue/cola\norg/a\t0.9\t\norg/b\t0.8\t0.6\n');
    expect(p.shape).toBe('wide');
    expect(p.cells.map((c) => [c.model, c.dataset, c.value, c.line])).toEqual([
      ['org/a', 'glue/sst2', 0.9, 2],
      ['org/b', 'glue/sst2', 0.8, 3],
      ['org/b', 'glue/cola', 0.6, 3],
    ]);
  });

  it('reads proxy scores with any proxy name', () => {
    const p = parseImport('logme.csv', 'model,dataset,proxy,value\norg/a,glue/sst2,logme,1.5\n');
    expect(p.proxies).toEqual([{ model: 'org/a', target: 'glue/sst2', proxy: 'logme', value: 1.5, line: 2 }]);
  });
});

describe('parseImport: bad input names file, line and column', () => {
  it.each([
    [
      'a value in percent with a sign',
      'model,dataset,accuracy\na,d,85%\n',
      'p.csv:2: column "accuracy": is "85%", but must be a number (or empty for missing)',
    ],
    ['a header without model', 'name,dataset,accuracy\na,d,1\n', 'p.csv:1: has no "model" column (header: name, dataset, accuracy)'],
    ['a short row', 'model,dataset,accuracy\na,d\n', 'p.csv:2: has 2 fields, but the header has 3'],
    ['an id escaping the roots', 'model,dataset,accuracy\n../etc,d,1\n', 'p.csv:2: column "model": is "../etc", which must be an id like "org/name"'],
    ['an id with a space', 'model,dataset,accuracy\na,glue sst2,1\n', 'p.csv:2: column "dataset": is "glue sst2", which must be an id'],
    ['an empty model', 'model,dataset,accuracy\n,d,1\n', 'p.csv:2: column "model": is empty, but must name an id'],
    ['two value columns', 'model,dataset,accuracy,f1\na,d,1,2\n', 'p.csv:1: has 2 candidate value columns (accuracy, f1); keep one, or name it "value"'],
    ['a gap in a curve', 'model,dataset,value,ep1,ep2\na,d,1,,0.5\n', 'p.csv:2: column "ep1": is empty but a later epoch is not'],
    ['a bad direction', 'model,dataset,value,direction\na,d,1,up\n', 'p.csv:2: column "direction": is "up", but must be maximize or minimize (or empty)'],
    [
      'two directions for one dataset',
      'model,dataset,value,direction\na,d,1,maximize\nb,d,1,minimize\n',
      'p.csv:3: column "direction": is minimize, but line 2 gives d the direction maximize',
    ],
    [
      'a proxy file without value',
      'model,dataset,proxy,score\na,d,logme,1\n',
      'p.csv:1: a proxy-score file needs the columns model, dataset (or target), proxy, value; "value" is missing',
    ],
    ['an empty proxy score', 'model,dataset,proxy,value\na,d,logme,\n', 'p.csv:2: column "value": is empty, but a proxy score must be a number'],
    ['an empty file', '', 'p.csv:1: is empty'],
    [
      'seconds without per-epoch columns',
      'model,dataset,value,seconds\na,d,1,3\n',
      'p.csv:1: column "seconds": gives seconds per epoch, but the file has no per-epoch columns (ep1, ep2, …) to store them with',
    ],
    ['negative seconds', 'model,dataset,value,ep1,seconds\na,d,1,0.5,-3\n', 'p.csv:2: column "seconds": is -3, but seconds per epoch cannot be negative'],
  ])('%s', (_, text, message) => {
    expect(messageOf('p.csv', text)).toContain(message);
  });

  it('lists every problem, not only the first', () => {
    expect(messageOf('p.csv', 'model,dataset,value\na,d,x\nb,d,y\n').split('\n')).toHaveLength(2);
  });
});

describe('planImport', () => {
  it('flags percent values, chance-level targets and duplicates', () => {
    const text = [
      'model,dataset,value',
      ...['a', 'b', 'c', 'd'].map((m, i) => `${m},pct,${60 + i}`),
      ...['a', 'b', 'c', 'd'].map((m, i) => `${m},chance,${i === 3 ? 0.9 : 0.5}`),
      ...['a', 'b', 'c', 'd'].map((m, i) => `${m},ok,${0.6 + i / 10}`),
      'a,ok,0.7',
      'b,ok,0.7',
    ].join('\n');
    const plan = planImport(parseImport('p.csv', text), EMPTY);
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('pct: values look like percent (max 63)'),
        expect.stringContaining('chance: 3 of 4 models sit at 0.5 (chance level?)'),
        expect.stringContaining('1 row(s) repeat an earlier key with another value'),
      ]),
    );
    expect(plan.duplicates).toEqual([
      { key: 'a on ok', line: 14, first: 10, same: false },
      { key: 'b on ok', line: 15, first: 11, same: true },
    ]);
    expect(describePlan(plan)).toContain('  duplicate: line 15 repeats b on ok of line 11 (same values; ignored)');
  });

  it('tells new cells from changed and unchanged ones', () => {
    const state = {
      ...EMPTY,
      version: 4,
      models: new Set(['a']),
      datasets: new Map([['d', { metric: 'accuracy', direction: 'maximize' as const }]]),
      cells: new Map([
        ['a\u0000d', 0.5],
        ['b\u0000d', 0.7],
      ]),
    };
    const plan = planImport(parseImport('p.csv', 'model,dataset,accuracy\na,d,0.6\nb,d,0.7\nc,d,0.8\n'), state);
    expect(plan.newCells.map((c) => c.model)).toEqual(['c']);
    expect(plan.changedCells.map((c) => [c.model, c.stored, c.value])).toEqual([['a', 0.5, 0.6]]);
    expect(plan.unchangedCells).toBe(1);
    expect(plan.newModels).toEqual(['b', 'c']);
    expect(describePlan(plan)).toContain('  changed: a on d (line 2): stored 0.5, file 0.6');
  });
});
