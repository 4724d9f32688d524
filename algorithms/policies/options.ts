/**
 * Policy parameters as typed by a user (`successive-halving:eta=3`): a flat record of
 * numbers and strings, checked against each policy's defaults.
 */

export type PolicyParams = Readonly<Record<string, number | string>>;

/**
 * Merge `params` over `defaults`. Throws when a key is unknown or a value's type differs
 * from its default's, naming the policy, the key and the rule.
 */
export function readParams<T extends Record<string, number | string>>(policy: string, defaults: T, params: PolicyParams): T {
  const out: Record<string, number | string> = { ...defaults };
  for (const [key, value] of Object.entries(params)) {
    const def = defaults[key];
    if (def === undefined) throw new Error(`${policy}: unknown parameter "${key}"; known: ${Object.keys(defaults).join(', ') || 'none'}`);
    if (typeof value !== typeof def) throw new Error(`${policy}: ${key} is ${JSON.stringify(value)}, but must be a ${typeof def}`);
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${policy}: ${key} is ${value}, but must be finite`);
    out[key] = value;
  }
  return out as T;
}

/** Throws `${policy}: ${key} is ${value}, but must be ${rule}` unless ok. */
export function check(ok: boolean, policy: string, key: string, value: number | string, rule: string): void {
  if (!ok) throw new Error(`${policy}: ${key} is ${JSON.stringify(value)}, but must be ${rule}`);
}

/** `name` alone, or `name:k=v;k=v` for the non-default parameters, in the defaults' key order. */
export function specName(policy: string, defaults: Record<string, number | string>, params: PolicyParams): string {
  const changed = Object.keys(defaults).filter((k) => params[k] !== undefined && params[k] !== defaults[k]);
  return changed.length === 0 ? policy : `${policy}:${changed.map((k) => `${k}=${String(params[k])}`).join(';')}`;
}
