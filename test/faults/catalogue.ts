/**
 * The bad-input catalogue: every case the fault suite feeds to mselect, what it expects back
 * and what happens to the run. bad-input.fault.ts runs each case by its `kind`;
 * docs/faults.md holds the table `renderTable()` makes from this list (docs.fault.ts keeps
 * them identical; MSELECT_UPDATE_FAULTS_DOC=1 rewrites the doc).
 */
export type Kind =
  /** `node bin/mselect.js <argv>`: exit 2, the message names the flag. */
  | { readonly kind: 'cli'; readonly argv: readonly string[] }
  /** A workflow started with raw JSON, as the web UI does: fails at once, no workflow-task retries. */
  | { readonly kind: 'workflow'; readonly workflow: 'selectModel' | 'buildPerformanceMatrix'; readonly json: unknown }
  /** A benchmark dataset (bad-files.ts BAD_DATASETS) fine-tuned by the offline workflow. */
  | { readonly kind: 'dataset' }
  /** A hub model (bad-files.ts BAD_MODELS) fine-tuned by the offline workflow. */
  | { readonly kind: 'model' }
  /** A hub entry so broken that planning the offline run fails. */
  | { readonly kind: 'catalog'; readonly entry: 'dataset' | 'model' }
  /** A store file damaged (bad-files.ts BAD_STORES) under a running worker, then a selection starts. */
  | { readonly kind: 'store' }
  /** A store file damaged (bad-files.ts BAD_STORES) before `mselect worker --role orchestrator` starts on it. */
  | { readonly kind: 'store-open' }
  /** The external command trainer (test/fixtures/epoch-trainer.js) misbehaving in FIXTURE_MODE `mode`. */
  | { readonly kind: 'trainer'; readonly mode: 'malformed' | 'crash' | 'skip' | 'outside' }
  /** A broken PyTorch hub entry fine-tuned by the offline workflow with the torch trainer (trainers/torch). */
  | { readonly kind: 'torch'; readonly entry: 'no-weights' | 'corrupt-weights' | 'unknown-arch' }
  /**
   * Storage settings a process opens the matrix store with (`MSELECT_STORAGE` + AWS variables;
   * `{endpoint}`, `{key}`, `{secret}` stand for the test's running versitygw).
   */
  | { readonly kind: 'storage'; readonly env: Readonly<Record<string, string>> };

export type FaultCase = Kind & {
  readonly id: string;
  readonly input: string;
  /** Failure type (`ApplicationFailure.type`), or `exit 2` for the CLI. */
  readonly errorType: string;
  /** Text the message contains; the test checks it verbatim. */
  readonly excerpt: string;
  readonly outcome: string;
  /** A known product gap: the case states the wanted behaviour and is run with `it.failing`. */
  readonly bug?: string;
};

const CELL_FAILS = "the cell fails after one attempt and is listed in the run's failures; every other cell is computed and committed; stored cells are kept";
const UI_FAILS = 'the workflow fails in its first workflow task: no activity, no workflow-task retry';
const PLAN_FAILS = 'planMatrix fails after one attempt and the run fails; the store is untouched';
const STORAGE_FAILS = 'opening the store fails at once (no retries) with a non-retryable failure; nothing is written';
const STORE_FAILS = 'planSelection fails after one attempt and the run fails; the damaged file is left as it is and every other file still reads';

/** `arg` as typed in a POSIX shell. */
const shellWord = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`);

function cli(id: string, argv: readonly string[], excerpt: string, outcome = 'nothing is started'): FaultCase {
  return { id, kind: 'cli', argv, input: `mselect ${argv.map(shellWord).join(' ')}`, errorType: 'exit 2', excerpt, outcome };
}

function ui(
  id: string,
  workflow: 'selectModel' | 'buildPerformanceMatrix',
  json: unknown,
  excerpt: string,
  input = `${workflow} ${JSON.stringify(json)}`,
): FaultCase {
  return { id, kind: 'workflow', workflow, json, input, errorType: 'InvalidInput', excerpt, outcome: UI_FAILS };
}

export const CASES: readonly FaultCase[] = [
  cli('cli-budget-epochs-zero', ['select', '--target', 'target', '--budget-epochs', '0'], '--budget-epochs: Number must be greater than or equal to 1'),
  cli('cli-policy-unknown', ['select', '--target', 'target', '--policy', 'greedy'], "--policy: Invalid enum value. Expected 'prior-shrink-halving'"),
  cli('cli-target-traversal', ['select', '--target', '../../etc'], '--target: must not be an absolute path or contain a "." or ".." segment'),
  cli('cli-input-not-json', ['select', '--target', 'target', '--input', '{"budgetEpochs": 5,'], '--input: not valid JSON'),
  cli('cli-offline-epochs-negative', ['offline', '--epochs', '-3'], '--epochs: Number must be greater than or equal to 1'),
  cli('cli-offline-models-traversal', ['offline', '--models', 'alpha,../../etc/passwd'], '--models[1]: must not be an absolute path'),
  cli('cli-worker-slots-zero', ['worker', '--role', 'gpu', '--slots', '0'], '--slots is 0, but must be an integer >= 1', 'no worker starts'),
  cli(
    'cli-worker-task-queue-bad',
    ['worker', '--role', 'gpu', '--task-queue', 'gpu queue'],
    '--task-queue is "gpu queue", but must be letters, digits',
    'no worker starts',
  ),
  cli('schedule-bad-cron', ['schedule', 'set', '--cron', 'nightly'], '--cron: must be a 5-field cron expression', 'no schedule is created or changed'),
  cli('schedule-bad-timezone', ['schedule', 'set', '--timezone', 'Mars/Olympus'], '--timezone: must be an IANA time zone', 'no schedule is created or changed'),
  cli(
    'schedule-bad-input',
    ['schedule', 'set', '--input', '{"epochs": 0, "trainer": "pytorch"}'],
    '--input[epochs]: Number must be greater than or equal to 1; --input[trainer]: Invalid enum value',
    'no schedule is created or changed',
  ),

  ui('ui-select-budget-zero', 'selectModel', { target: 'target', budgetEpochs: 0 }, 'budgetEpochs: Number must be greater than or equal to 1'),
  ui('ui-select-unknown-field', 'selectModel', { target: 'target', budget: 5 }, "Unrecognized key(s) in object: 'budget'"),
  ui('ui-select-wrong-type', 'selectModel', { target: 'target', eta: 'two' }, 'eta: Expected number, received string'),
  ui('ui-select-not-an-object', 'selectModel', 'target', '(root): Expected object, received string'),
  ui('ui-select-bad-deadline', 'selectModel', { target: 'target', roundDeadline: 'soon' }, 'roundDeadline: must be a duration like "500ms"'),
  ui(
    'ui-select-models-traversal',
    'selectModel',
    { target: 'target', models: ['alpha/../../etc'] },
    'models.0: must not be an absolute path or contain a "." or ".." segment',
  ),
  ui('ui-offline-bad-heartbeat', 'buildPerformanceMatrix', { heartbeatTimeout: 'soon' }, 'heartbeatTimeout: must be a duration like "500ms"'),
  ui('ui-offline-bad-cluster', 'buildPerformanceMatrix', { cluster: { method: 'dbscan' } }, 'cluster.method: Invalid discriminator value'),
  ui(
    'ui-offline-too-many-models',
    'buildPerformanceMatrix',
    { models: Array.from({ length: 100_001 }, (_, i) => `m${i % 10}`) },
    'models: Array must contain at most 100000 element(s)',
    'buildPerformanceMatrix {"models": [100,001 ids]}',
  ),
  ui(
    'ui-offline-trainer-command-path',
    'buildPerformanceMatrix',
    { trainer: '/bin/sh' },
    "trainer: Invalid enum value. Expected 'tfjs' | 'command' | 'replay' | 'torch', received '/bin/sh'",
  ),

  {
    id: 'ds-wrong-shape',
    kind: 'dataset',
    input: 'train split with 5 feature columns, manifest featureShape [4]',
    errorType: 'InvalidDataset',
    excerpt: 'has 5 feature columns but featureShape [4] needs 4',
    outcome: CELL_FAILS,
  },
  {
    id: 'ds-nan-feature',
    kind: 'dataset',
    input: 'a NaN feature in row 3 of the train split',
    errorType: 'InvalidDataset',
    excerpt: 'row 3: feature 1 is NaN',
    outcome: CELL_FAILS,
  },
  { id: 'ds-empty', kind: 'dataset', input: 'a train split with 0 rows', errorType: 'InvalidDataset', excerpt: 'is empty (0 rows)', outcome: CELL_FAILS },
  {
    id: 'ds-one-class',
    kind: 'dataset',
    input: 'every train label is 0',
    errorType: 'InvalidDataset',
    excerpt: 'holds a single class (0); training needs at least two',
    outcome: CELL_FAILS,
  },
  {
    id: 'ds-label-out-of-range',
    kind: 'dataset',
    input: 'label 7 in row 5, with 3 classes',
    errorType: 'InvalidDataset',
    excerpt: 'row 5: label 7 is not an integer in [0, 3)',
    outcome: CELL_FAILS,
  },
  {
    id: 'ds-very-large',
    kind: 'dataset',
    input: 'a 3 GiB train split',
    errorType: 'InvalidDataset',
    excerpt: 'train.arrow',
    outcome: CELL_FAILS,
  },
  {
    id: 'ds-manifest-broken',
    kind: 'catalog',
    entry: 'dataset',
    input: 'dataset.json cut off mid-object',
    errorType: 'InvalidDataset',
    excerpt: 'dataset.json is not valid JSON',
    outcome: PLAN_FAILS,
  },

  {
    id: 'model-missing-model-json',
    kind: 'model',
    input: 'card.json and weights, no model.json',
    errorType: 'InvalidModel',
    excerpt: 'model.json is missing',
    outcome: CELL_FAILS,
  },
  {
    id: 'model-truncated-weights',
    kind: 'model',
    input: 'weights.bin cut to half its size',
    errorType: 'InvalidModel',
    excerpt: 'hold 102 bytes but the manifest needs 204 (truncated or mismatched)',
    outcome: CELL_FAILS,
  },
  {
    id: 'model-input-shape-mismatch',
    kind: 'model',
    input: 'a 5-feature model on a 4-feature dataset',
    errorType: 'InvalidModel',
    excerpt: 'expects [5], dataset bench has [4]',
    outcome: CELL_FAILS,
  },
  {
    id: 'model-weights-outside',
    kind: 'model',
    input: 'model.json lists a weight file ../../datasets/bench/train.arrow',
    errorType: 'PathOutsideRoot',
    excerpt: 'Path "../../datasets/bench/train.arrow" resolves outside',
    outcome: CELL_FAILS,
  },
  {
    id: 'model-card-broken',
    kind: 'catalog',
    entry: 'model',
    input: 'card.json with a single label',
    errorType: 'InvalidModel',
    excerpt: 'card.json: labels: Array must contain at least 2 element(s)',
    outcome: PLAN_FAILS,
  },

  {
    id: 'store-truncated-fragment',
    kind: 'store',
    input: 'a cells fragment cut to half its size',
    errorType: 'StoreCorrupt',
    excerpt: '(cells, 2 rows) is corrupt: the file has',
    outcome: STORE_FAILS,
  },
  {
    id: 'store-flipped-byte',
    kind: 'store',
    input: 'one byte of a cells fragment flipped',
    errorType: 'StoreCorrupt',
    excerpt: '(cells, 2 rows) is corrupt: its sha256 differs from the manifest',
    outcome: STORE_FAILS,
  },
  {
    id: 'store-wrong-schema',
    kind: 'store-open',
    input: 'mselect-store.json with schemaVersion 99',
    errorType: 'SchemaVersionMismatch',
    excerpt: 'mselect-store.json has schema version 99, but this code reads versions 1 to 2',
    outcome: '`mselect worker --role orchestrator` exits with code 1 before it polls: no task is taken, no file is written',
  },

  {
    id: 'trainer-malformed-line',
    kind: 'trainer',
    mode: 'malformed',
    input: 'stdout line {"epoch": "two", "metric": 0.5}',
    errorType: 'TrainerFailed',
    excerpt: 'stdout line 2 is not a progress line (epoch: Expected number, received string',
    outcome: `${CELL_FAILS}; not retried`,
  },
  {
    id: 'trainer-exit-nonzero',
    kind: 'trainer',
    mode: 'crash',
    input: 'the command exits with code 3 after "CUDA out of memory" on stderr, two epochs after each start',
    errorType: 'TrainerFailed',
    excerpt: 'exited with code 3; stderr tail:\nCUDA out of memory',
    outcome:
      'retryable on purpose (a crash may be transient), and each retry resumes from the last checkpoint: attempts 1 and 2 crash, attempt 3 trains the last epoch and the cell is stored with every epoch once',
  },
  {
    id: 'trainer-stops-early',
    kind: 'trainer',
    mode: 'skip',
    input: 'the command exits 0 after epoch 2 of 3',
    errorType: 'TrainerFailed',
    excerpt: 'exited after epoch 2, but epoch 3 was asked for',
    outcome: `${CELL_FAILS}; not retried`,
  },
  {
    id: 'storage-wrong-secret',
    kind: 'storage',
    env: { MSELECT_STORAGE: 's3://mselect-faults/run', AWS_ENDPOINT_URL_S3: '{endpoint}', AWS_ACCESS_KEY_ID: '{key}', AWS_SECRET_ACCESS_KEY: 'not-the-secret' },
    input: 'MSELECT_STORAGE=s3://mselect-faults/run with a wrong AWS_SECRET_ACCESS_KEY',
    errorType: 'StorageMisconfigured',
    excerpt: 'refused the credentials for bucket "mselect-faults" (SignatureDoesNotMatch): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    outcome: STORAGE_FAILS,
  },
  {
    id: 'storage-unknown-key-id',
    kind: 'storage',
    env: { MSELECT_STORAGE: 's3://mselect-faults/run', AWS_ENDPOINT_URL_S3: '{endpoint}', AWS_ACCESS_KEY_ID: 'nobody', AWS_SECRET_ACCESS_KEY: '{secret}' },
    input: 'MSELECT_STORAGE=s3://mselect-faults/run with an AWS_ACCESS_KEY_ID the server does not know',
    errorType: 'StorageMisconfigured',
    excerpt: 'refused the credentials for bucket "mselect-faults"',
    outcome: STORAGE_FAILS,
  },
  {
    id: 'storage-missing-bucket',
    kind: 'storage',
    env: { MSELECT_STORAGE: 's3://no-such-bucket/run', AWS_ENDPOINT_URL_S3: '{endpoint}', AWS_ACCESS_KEY_ID: '{key}', AWS_SECRET_ACCESS_KEY: '{secret}' },
    input: 'MSELECT_STORAGE=s3://no-such-bucket/run (never created)',
    errorType: 'StorageMisconfigured',
    excerpt: 'bucket "no-such-bucket" does not exist at http://127.0.0.1:',
    outcome: STORAGE_FAILS,
  },
  {
    id: 'storage-malformed-url',
    kind: 'storage',
    env: { MSELECT_STORAGE: 's3://Team_Bucket/run' },
    input: 'MSELECT_STORAGE=s3://Team_Bucket/run',
    errorType: 'StorageMisconfigured',
    excerpt: 'MSELECT_STORAGE=s3://Team_Bucket/run is not a valid S3 URL: (root): bucket "Team_Bucket" is not a valid S3 bucket name',
    outcome: STORAGE_FAILS,
  },
  {
    id: 'storage-unknown-scheme',
    kind: 'storage',
    env: { MSELECT_STORAGE: 'gs://bucket/run' },
    input: 'MSELECT_STORAGE=gs://bucket/run',
    errorType: 'StorageMisconfigured',
    excerpt: 'MSELECT_STORAGE=gs://bucket/run has an unsupported scheme: use s3://bucket/prefix, file:///absolute/path or a plain path',
    outcome: STORAGE_FAILS,
  },
  {
    id: 'storage-bad-endpoint',
    kind: 'storage',
    env: { MSELECT_STORAGE: 's3://mselect-faults/run', AWS_ENDPOINT_URL_S3: 'localhost:7070' },
    input: 'AWS_ENDPOINT_URL_S3=localhost:7070 (no scheme)',
    errorType: 'StorageMisconfigured',
    excerpt: 'AWS_ENDPOINT_URL_S3: must be a URL such as http://127.0.0.1:7070',
    outcome: STORAGE_FAILS,
  },

  {
    id: 'trainer-checkpoint-outside',
    kind: 'trainer',
    mode: 'outside',
    input: 'the command reports checkpoint ../../escape.json',
    errorType: 'PathOutsideRoot',
    excerpt: 'Path "../../escape.json" resolves outside',
    outcome: CELL_FAILS,
  },

  {
    id: 'torch-weights-missing',
    kind: 'torch',
    entry: 'no-weights',
    input: 'a PyTorch hub entry whose card names a state_dict, without weights.pt',
    errorType: 'InvalidModel',
    excerpt: 'weights.pt is missing (state_dict named by',
    outcome: `${CELL_FAILS}; nothing of the entry is checkpointed`,
  },
  {
    id: 'torch-weights-corrupt',
    kind: 'torch',
    entry: 'corrupt-weights',
    input: 'weights.pt holding text instead of a state_dict',
    errorType: 'InvalidModel',
    excerpt: 'weights.pt cannot be loaded',
    outcome: `${CELL_FAILS}; nothing of the entry is checkpointed`,
  },
  {
    id: 'torch-unknown-architecture',
    kind: 'torch',
    entry: 'unknown-arch',
    input: 'card.json naming layer "SuperDense", not a torch.nn module',
    errorType: 'InvalidModel',
    excerpt: "torch.architecture.layers[1] names unknown architecture layer 'SuperDense'",
    outcome: `${CELL_FAILS}; nothing of the entry is checkpointed`,
  },
];

export function casesOf<K extends FaultCase['kind']>(kind: K): Extract<FaultCase, { kind: K }>[] {
  return CASES.filter((c): c is Extract<FaultCase, { kind: K }> => c.kind === kind);
}

const cell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string): string => `\`${text.replace(/\n/g, '⏎').replace(/`/g, "'")}\``;

/** The markdown table of every case, in catalogue order. */
export function renderTable(cases: readonly FaultCase[] = CASES): string {
  const rows = cases.map((c) => {
    const outcome = c.bug ? `**Known bug:** ${c.bug}. Wanted: ${c.outcome}` : c.outcome;
    return `| ${cell(c.id)} | ${cell(c.input)} | ${cell(c.errorType)} | ${cell(code(c.excerpt))} | ${cell(outcome)} |`;
  });
  return ['| case | input | error type | message excerpt | outcome |', '|---|---|---|---|---|', ...rows].join('\n');
}
