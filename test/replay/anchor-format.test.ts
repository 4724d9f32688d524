import { AnchorFormatError, formatCurvesCsv, parseCurvesCsv, parseHistoryMatrix, parseNameList, parseProxyScores } from '../../replay/anchor-format';

const CSV = ['model,dataset,in_paper_pool,test,val_ep1,val_ep2,val_ep3', 'a,d1,1,0.8,0.5,0.6,0.7', 'b,d1,0,,0.4,0.45,', 'a,d2,1,0.25,0.1,0.2,0.3'].join('\r\n');

describe('parseCurvesCsv', () => {
  it('reads runs, models and datasets in order of first appearance, the pool flag and null tests', () => {
    const { runs, inPaperPool } = parseCurvesCsv(CSV);
    expect(runs.models).toEqual(['a', 'b']);
    expect(runs.datasets).toEqual(['d1', 'd2']);
    expect(runs.runs).toEqual([
      { model: 'a', dataset: 'd1', val: [0.5, 0.6, 0.7], test: 0.8 },
      { model: 'b', dataset: 'd1', val: [0.4, 0.45], test: null },
      { model: 'a', dataset: 'd2', val: [0.1, 0.2, 0.3], test: 0.25 },
    ]);
    expect([...inPaperPool]).toEqual(['a']);
  });

  it.each([
    ['a bad header', 'model,dataset,pool,test,val_ep1\n', /my.csv:1: column 3 is "pool", but must be "in_paper_pool"/],
    ['no val columns', 'model,dataset,in_paper_pool,test\n', /my.csv:1: no val_ep1/],
    ['skipped val column', 'model,dataset,in_paper_pool,test,val_ep2\n', /my.csv:1: column 5 is "val_ep2"/],
    ['a bad number', 'model,dataset,in_paper_pool,test,val_ep1\na,d,1,0.5,x\n', /my.csv:2: val_ep1 is "x", but must be a finite number/],
    ['a bad flag', 'model,dataset,in_paper_pool,test,val_ep1\na,d,2,0.5,0.1\n', /my.csv:2: in_paper_pool is "2"/],
    ['a short row', 'model,dataset,in_paper_pool,test,val_ep1\na,d,1,0.5\n', /my.csv:2: 4 cells, but the header has 5/],
    ['a hole in a curve', 'model,dataset,in_paper_pool,test,val_ep1,val_ep2\na,d,1,0.5,,0.2\n', /my.csv:2: val_ep1 is empty but a later epoch is not/],
    ['a duplicate', 'model,dataset,in_paper_pool,test,val_ep1\na,d,1,0.5,0.1\na,d,1,0.5,0.1\n', /my.csv:3: duplicate run a on d/],
    ['an inconsistent flag', 'model,dataset,in_paper_pool,test,val_ep1\na,d,1,0.5,0.1\na,e,0,0.5,0.1\n', /my.csv:3: in_paper_pool of a differs/],
  ])('rejects %s, naming file and line', (_what, text, message) => {
    expect(() => parseCurvesCsv(text, 'my.csv')).toThrow(message);
    expect(() => parseCurvesCsv(text, 'my.csv')).toThrow(AnchorFormatError);
  });
});

describe('formatCurvesCsv', () => {
  it('round-trips through parseCurvesCsv at full precision', () => {
    const { runs, inPaperPool } = parseCurvesCsv(CSV);
    const text = formatCurvesCsv(runs, inPaperPool);
    expect(text.split('\n')[2]).toBe('b,d1,0,,0.4,0.45,');
    expect(parseCurvesCsv(text)).toEqual({ runs, inPaperPool });
  });

  it('writes 0 for the pool flag when no pool is given and keeps 17 significant digits', () => {
    const runs = { models: ['m'], datasets: ['d'], runs: [{ model: 'm', dataset: 'd', val: [1 / 3], test: 0.1 + 0.2 }] };
    expect(formatCurvesCsv(runs)).toBe('model,dataset,in_paper_pool,test,val_ep1\nm,d,0,0.30000000000000004,0.3333333333333333\n');
  });

  it('refuses names that would break the CSV', () => {
    const runs = { models: ['a,b'], datasets: ['d'], runs: [{ model: 'a,b', dataset: 'd', val: [0.5], test: null }] };
    expect(() => formatCurvesCsv(runs)).toThrow(/contains a comma/);
  });
});

describe('parseHistoryMatrix', () => {
  const TSV = 'a\tb \tc\r\n0.5\t0\t-0.04\r\n0.25\t0.75\t1\r\n';

  it('reads a dataset-major matrix and turns 0 into NaN', () => {
    const m = parseHistoryMatrix(TSV, ['d1', 'd2']);
    expect(m.models).toEqual(['a', 'b', 'c']);
    expect(m.datasets).toEqual(['d1', 'd2']);
    expect([...m.values]).toEqual([0.5, Number.NaN, -0.04, 0.25, 0.75, 1]);
  });

  it('rejects a row count that differs from the dataset names', () => {
    expect(() => parseHistoryMatrix(TSV, ['d1'], 'h.tsv')).toThrow(/h.tsv:3: 2 data rows, but 1 dataset names were given/);
  });

  it('rejects a short row and a bad cell with their line', () => {
    expect(() => parseHistoryMatrix('a\tb\n0.5\n', ['d'], 'h.tsv')).toThrow(/h.tsv:2: 1 cells, but line 1 names 2 models/);
    expect(() => parseHistoryMatrix('a\tb\n0.5\tn/a\n', ['d'], 'h.tsv')).toThrow(/h.tsv:2: cell 2 is "n\/a"/);
  });
});

describe('parseProxyScores', () => {
  it('maps model names to scores', () => {
    expect([...parseProxyScores('a\tb\r\n-1.084\t-0.469\r\n')]).toEqual([
      ['a', -1.084],
      ['b', -0.469],
    ]);
  });

  it.each([
    ['one line', 'a\tb\n', /p.tsv:2: 1 lines, but must be 2/],
    ['a width mismatch', 'a\tb\n1\n', /p.tsv:2: 1 scores, but line 1 names 2 models/],
    ['a repeated name', 'a\ta\n1\t2\n', /p.tsv:1: model name "a" is empty or repeated/],
    ['a bad score', 'a\n-\n', /p.tsv:2: score of a is "-"/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseProxyScores(text, 'p.tsv')).toThrow(message);
  });
});

describe('parseNameList', () => {
  it('trims names and skips blank lines', () => {
    expect(parseNameList('cola\r\n sst2 \n\nmrpc')).toEqual(['cola', 'sst2', 'mrpc']);
  });
});
