/** Keys: '/'-separated relative paths, the same on every backend. */
import { InvalidKeyError } from './errors';

/** Throw InvalidKeyError unless `key` is a non-empty relative key without `.`/`..` segments or backslashes. */
export function checkKey(key: string): string {
  if (key === '') throw new InvalidKeyError(key, 'it is empty');
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) throw new InvalidKeyError(key, 'it is absolute');
  if (key.includes('\\')) throw new InvalidKeyError(key, 'it contains a backslash');
  if (key.includes('\0')) throw new InvalidKeyError(key, 'it contains a NUL byte');
  for (const part of key.split('/')) {
    if (part === '..' || part === '.') throw new InvalidKeyError(key, `it has a "${part}" segment`);
    if (part === '') throw new InvalidKeyError(key, 'it has an empty segment');
  }
  return key;
}

/** A prefix for `sub` or `list`: '' or a valid key, always ending in '/' when not empty. */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return '';
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return `${checkKey(trimmed)}/`;
}

/** A list prefix may end anywhere (e.g. `versions/00`): validate what it has. */
export function checkListPrefix(prefix: string): string {
  if (prefix === '') return '';
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
