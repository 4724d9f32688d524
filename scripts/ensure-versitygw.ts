import { ensureVersitygw } from '../server/versitygw';

ensureVersitygw()
  .then((bin) => process.stderr.write(`setup: versitygw (${bin.source}): ${bin.path}\n`))
  .catch((e: Error) => {
    process.stderr.write(`setup: ${e.message}\n`);
    process.exit(1);
  });
