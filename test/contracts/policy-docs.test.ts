import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_NAMES } from '../../contracts/schemas/policy';

/** The policy names of the README's "Selection policies" table, in order. */
function documentedPolicies(): string[] {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section =
    readme
      .split('### Selection policies')[1]
      ?.split('\n\n')
      .find((block) => block.trimStart().startsWith('| policy')) ?? '';
  return section
    .split('\n')
    .map((row) => /^\| `([^`]+)`/.exec(row)?.[1])
    .filter((name): name is string => name !== undefined);
}

describe('selection policies', () => {
  it('the README documents exactly the policies the schema accepts', () => {
    expect(documentedPolicies()).toEqual([...POLICY_NAMES]);
  });
});
