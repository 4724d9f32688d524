import { combineProxies, normalizeScores, priorTimesExpLeep, type ProxyScores } from '../../algorithms/proxy-combine';
import {
  PAPER_PROXY_COMBINATION,
  PROXY_NAMES,
  ProxyCombinationSchema,
  ProxyNameSchema,
  type ProxyCombinationInput,
  type ProxyName,
} from '../../contracts/schemas/proxies';

const m = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));
const scores = (entries: Partial<Record<ProxyName, Map<string, number>>>): ProxyScores =>
  new Map(Object.entries(entries) as [ProxyName, Map<string, number>][]);
const combine = (s: ProxyScores, config: ProxyCombinationInput): Map<string, number> => combineProxies(s, ProxyCombinationSchema.parse(config));
const SQRT_1_5 = Math.sqrt(1.5);

describe('proxy schemas', () => {
  it('names every proxy the recall phase knows', () => {
    expect(ProxyNameSchema.options).toEqual(['leep', 'logme', 'parc', 'nce', 'hscore', 'hscore-shrinkage', 'history-prior']);
    expect(ProxyNameSchema.options).toEqual([...PROXY_NAMES]);
  });

  it('fills in weight 1, z-score normalisation, identity transform and power 1', () => {
    expect(ProxyCombinationSchema.parse({ kind: 'weighted-sum', terms: [{ proxy: 'logme' }] })).toEqual({
      kind: 'weighted-sum',
      terms: [{ proxy: 'logme', weight: 1, normalize: 'zscore' }],
    });
    expect(ProxyCombinationSchema.parse({ kind: 'product', factors: [{ proxy: 'nce' }] })).toEqual({
      kind: 'product',
      factors: [{ proxy: 'nce', transform: 'identity', power: 1 }],
    });
  });

  it('holds the paper combination: history prior × exp(LEEP)', () => {
    expect(PAPER_PROXY_COMBINATION).toEqual({
      kind: 'product',
      factors: [
        { proxy: 'history-prior', transform: 'identity', power: 1 },
        { proxy: 'leep', transform: 'exp', power: 1 },
      ],
    });
  });

  it.each([
    [{ kind: 'single', proxy: 'gbc' }, /Invalid enum value\. Expected 'leep' \| 'logme'.*received 'gbc'/],
    [{ kind: 'weighted-sum', terms: [] }, /Array must contain at least 1 element/],
    [{ kind: 'weighted-sum', terms: [{ proxy: 'leep', weight: Number.POSITIVE_INFINITY }] }, /Number must be finite/],
    [{ kind: 'product', factors: [{ proxy: 'leep', transform: 'log' }] }, /Expected 'identity' \| 'exp', received 'log'/],
    [{ kind: 'mean', proxy: 'leep' }, /Invalid discriminator value\. Expected 'single' \| 'weighted-sum' \| 'product'/],
    [{ kind: 'single', proxy: 'leep', weight: 2 }, /Unrecognized key\(s\) in object: 'weight'/],
  ])('rejects %j', (config, message) => {
    const r = ProxyCombinationSchema.safeParse(config);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join('; ')).toMatch(message);
  });
});

describe('normalizeScores', () => {
  it.each([
    ['zscore', [-SQRT_1_5, 0, SQRT_1_5]],
    ['minmax', [0, 0.5, 1]],
    ['rank', [-0.5, 0, 0.5]],
    ['none', [1, 2, 3]],
  ] as const)('scales [1, 2, 3] by %s', (how, expected) => {
    const out = normalizeScores(m({ a: 1, b: 2, c: 3 }), how);
    expect([...out.keys()]).toEqual(['a', 'b', 'c']);
    [...out.values()].forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? Number.NaN, 15));
  });

  it('scales by the finite scores only and keeps NaN', () => {
    const out = normalizeScores(m({ a: 1, b: Number.NaN, c: 4, d: 2 }), 'minmax');
    expect([...out.values()]).toEqual([0, Number.NaN, 1, 1 / 3]);
    // average ranks 2.5, 1, 2.5 around the middle rank 2, over n - 1 = 2.
    expect([...normalizeScores(m({ a: 5, b: 1, c: 5 }), 'rank').values()]).toEqual([0.25, -0.5, 0.25]);
  });

  it.each(['zscore', 'minmax', 'rank'] as const)('maps scores that do not vary to 0 under %s', (how) => {
    expect([...normalizeScores(m({ a: 2, b: 2 }), how).values()]).toEqual([0, 0]);
    expect([...normalizeScores(m({ a: 7 }), how).values()]).toEqual([0]);
  });
});

describe('combineProxies', () => {
  const leep = m({ a: -1, b: -2, c: -3 });
  const logme = m({ a: 3, b: 1, c: 2 });

  it('passes a single proxy through', () => {
    expect(combine(scores({ logme }), { kind: 'single', proxy: 'logme' })).toEqual(logme);
  });

  it('adds weighted z-scores', () => {
    // z(leep) = (√1.5, 0, -√1.5), z(logme) = (√1.5, -√1.5, 0); weights 1 and 2.
    const out = combine(scores({ leep, logme }), {
      kind: 'weighted-sum',
      terms: [{ proxy: 'leep' }, { proxy: 'logme', weight: 2 }],
    });
    expect(out.get('a')).toBeCloseTo(3 * SQRT_1_5, 14);
    expect(out.get('b')).toBeCloseTo(-2 * SQRT_1_5, 14);
    expect(out.get('c')).toBeCloseTo(-SQRT_1_5, 14);
  });

  it('multiplies transformed factors raised to their powers', () => {
    const out = combine(scores({ leep, logme }), {
      kind: 'product',
      factors: [
        { proxy: 'logme', power: 2 },
        { proxy: 'leep', transform: 'exp', power: 0.5 },
      ],
    });
    expect(out.get('a')).toBeCloseTo(9 * Math.exp(-0.5), 14);
    expect(out.get('b')).toBeCloseTo(Math.exp(-1), 14);
    expect(out.get('c')).toBeCloseTo(4 * Math.exp(-1.5), 14);
  });

  it('gives NaN for a negative base under a fractional power', () => {
    const out = combine(scores({ nce: m({ a: -0.5, b: 0.25 }) }), { kind: 'product', factors: [{ proxy: 'nce', power: 0.5 }] });
    expect(out.get('a')).toBeNaN();
    expect(out.get('b')).toBeCloseTo(0.5, 15);
  });

  it('lists every model of the named proxies, NaN where a score is missing or not finite', () => {
    const out = combine(scores({ leep: m({ a: -1, b: Number.NaN }), logme: m({ c: 1, a: 2 }) }), {
      kind: 'product',
      factors: [{ proxy: 'leep', transform: 'exp', power: 0 }, { proxy: 'logme' }],
    });
    expect([...out.keys()]).toEqual(['a', 'b', 'c']);
    expect(out.get('a')).toBe(2);
    expect(out.get('b')).toBeNaN();
    expect(out.get('c')).toBeNaN();
  });

  it('ignores proxies the combination does not name', () => {
    expect([...combine(scores({ leep, parc: m({ z: 1 }) }), { kind: 'single', proxy: 'leep' }).keys()]).toEqual(['a', 'b', 'c']);
  });

  it('throws when a named proxy has no scores', () => {
    expect(() => combine(scores({ leep }), { kind: 'single', proxy: 'parc' })).toThrow(
      /proxy 'parc' is named in the combination, but no scores were given for it \(given: leep\)/,
    );
  });
});

describe('priorTimesExpLeep', () => {
  it('is prior × exp(LEEP) and can reorder the models', () => {
    const out = priorTimesExpLeep(m({ a: 0.8, b: 0.6 }), m({ a: -1, b: -0.1 }));
    expect(out.get('a')).toBeCloseTo(0.8 * Math.exp(-1), 15);
    expect(out.get('b')).toBeCloseTo(0.6 * Math.exp(-0.1), 15);
    expect((out.get('b') ?? 0) > (out.get('a') ?? 0)).toBe(true);
  });

  it('equals the paper combination run through combineProxies, NaN for a model missing a score', () => {
    const prior = m({ a: 0.8, b: 0.6 });
    const leepScores = m({ a: -1, c: -0.5 });
    const out = priorTimesExpLeep(prior, leepScores);
    expect(out).toEqual(combineProxies(scores({ 'history-prior': prior, leep: leepScores }), PAPER_PROXY_COMBINATION));
    expect([...out.keys()]).toEqual(['a', 'b', 'c']);
    expect(out.get('b')).toBeNaN();
  });
});
