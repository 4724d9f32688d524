import { ensureTemporalCli } from '../server/temporal-cli';

ensureTemporalCli()
  .then((cli) => process.stderr.write(`setup: Temporal CLI (${cli.source}): ${cli.path}\n`))
  .catch((e: Error) => {
    process.stderr.write(`setup: ${e.message}\n`);
    process.exit(1);
  });
