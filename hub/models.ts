/**
 * The model hub on disk: `<hubDir>/<modelId>/{model.json, weight shards, card.json}`.
 * Loading checks the card against the model so a broken hub entry fails once, clearly,
 * with InvalidModel, instead of deep inside training.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { ErrorType, nonRetryable } from '../contracts/errors';
import { formatIssues } from '../contracts/parse';
import { type ModelCard, ModelCardSchema } from '../contracts/schemas/training';
import { exists, readJsonIfExists, resolveInside, writeFileAtomic } from './files';
import { fileSystemIO, MODEL_JSON, type Tf } from './model-io';

export const CARD_JSON = 'card.json';

/** A loaded hub model plus the symbolic tensor the fine-tune head attaches to. */
export interface HubModel {
  readonly card: ModelCard;
  readonly model: tfjs.LayersModel;
  readonly features: tfjs.SymbolicTensor;
  /** Width of the feature layer (the head's input size). */
  readonly featureSize: number;
}

/** Directory of model `id`; PathOutsideRoot for ids that would escape the hub. */
export function modelDir(hubDir: string, id: string): string {
  return resolveInside(hubDir, id);
}

/**
 * Read and validate `card.json` of model `id`. Fails with ModelNotFound when the model
 * directory does not exist and InvalidModel when the card is missing or malformed.
 */
export async function readCard(hubDir: string, id: string): Promise<ModelCard> {
  const dir = modelDir(hubDir, id);
  if (!(await exists(dir))) throw nonRetryable(ErrorType.ModelNotFound, `Model ${id} not found in ${hubDir}`);
  return parseCard(dir, id);
}

async function parseCard(dir: string, id: string | null): Promise<ModelCard> {
  const file = path.join(dir, CARD_JSON);
  let raw: unknown;
  try {
    raw = await readJsonIfExists(file);
  } catch (err) {
    throw nonRetryable(ErrorType.InvalidModel, `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (raw === undefined) throw nonRetryable(ErrorType.InvalidModel, `${file} is missing`);
  const r = ModelCardSchema.safeParse(raw);
  if (!r.success) throw nonRetryable(ErrorType.InvalidModel, `${file}: ${formatIssues(r.error.issues)}`);
  if (id !== null && r.data.id !== id) throw nonRetryable(ErrorType.InvalidModel, `${file} names model ${r.data.id}, expected ${id}`);
  return r.data;
}

/** Every model directory in the hub (those with a card.json), sorted by id. */
export async function listModelIds(hubDir: string): Promise<string[]> {
  if (!(await exists(hubDir))) return [];
  const entries = await fs.readdir(hubDir, { withFileTypes: true });
  const ids: string[] = [];
  for (const e of entries) {
    if (e.isDirectory() && !e.name.startsWith('.') && (await exists(path.join(hubDir, e.name, CARD_JSON)))) ids.push(e.name);
  }
  return ids.sort();
}

/**
 * Load model `id` with its card and check they agree (input shape, output width, named
 * layers). The caller owns the returned model and must dispose it.
 * Fails with ModelNotFound or InvalidModel.
 */
export async function loadHubModel(tf: Tf, hubDir: string, id: string): Promise<HubModel> {
  const card = await readCard(hubDir, id);
  return loadModelDir(tf, modelDir(hubDir, id), card);
}

/** Load and validate the model in `dir` (a hub entry or a directory about to be added). */
export async function loadModelDir(tf: Tf, dir: string, knownCard?: ModelCard): Promise<HubModel> {
  const card = knownCard ?? (await parseCard(dir, null));
  const artifacts = await fileSystemIO(dir).load?.();
  let model: tfjs.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts ?? {}));
  } catch (err) {
    throw nonRetryable(ErrorType.InvalidModel, `${path.join(dir, MODEL_JSON)} cannot be loaded: ${(err as Error).message}`);
  }
  try {
    return { card, model, ...checkConsistency(model, card, dir) };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

function checkConsistency(model: tfjs.LayersModel, card: ModelCard, dir: string): { features: tfjs.SymbolicTensor; featureSize: number } {
  const fail = (what: string): never => {
    throw nonRetryable(ErrorType.InvalidModel, `Model in ${dir} disagrees with its card: ${what}`);
  };
  const [input, ...moreInputs] = model.inputs;
  if (!input || moreInputs.length > 0) fail(`expected one input, found ${model.inputs.length}`);
  const inShape = input?.shape.slice(1) ?? [];
  if (!sameShape(inShape, card.input.shape)) fail(`input shape [${inShape.join(',')}] vs card [${card.input.shape.join(',')}]`);
  const [output, ...moreOutputs] = model.outputs;
  if (!output || moreOutputs.length > 0) fail(`expected one output, found ${model.outputs.length}`);
  const units = output?.shape[output.shape.length - 1];
  if (units !== card.labels.length) fail(`output width ${units} vs ${card.labels.length} labels`);
  for (const name of card.frozenLayers) if (!model.layers.some((l) => l.name === name)) fail(`frozen layer ${name} does not exist`);
  const features = featureTensor(model, card, fail);
  const size = features.shape[1];
  if (features.shape.length !== 2 || typeof size !== 'number') fail(`feature layer output must be [batch, width], got [${features.shape.join(',')}]`);
  return { features, featureSize: size as number };
}

function featureTensor(model: tfjs.LayersModel, card: ModelCard, fail: (what: string) => never): tfjs.SymbolicTensor {
  if (card.featureLayer !== undefined) {
    const layer = model.layers.find((l) => l.name === card.featureLayer);
    if (!layer) return fail(`feature layer ${card.featureLayer} does not exist`);
    return single(layer.output, fail);
  }
  const last = model.outputs[0]?.sourceLayer;
  if (!last) return fail('no output layer');
  return single(last.input, fail);
}

function single(t: tfjs.SymbolicTensor | tfjs.SymbolicTensor[], fail: (what: string) => never): tfjs.SymbolicTensor {
  if (!Array.isArray(t)) return t;
  if (t.length === 1 && t[0]) return t[0];
  return fail('the feature layer has several outputs; name one with card.featureLayer');
}

export function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Save `model` and its card as hub entry `card.id` (model.json, weights.bin, card.json,
 * each written atomically; the card last, so listing never shows a half-saved model).
 */
export async function saveHubModel(hubDir: string, model: tfjs.LayersModel, card: ModelCard): Promise<string> {
  const dir = modelDir(hubDir, card.id);
  await model.save(fileSystemIO(dir));
  await writeFileAtomic(path.join(dir, CARD_JSON), JSON.stringify(card, null, 2));
  return dir;
}
