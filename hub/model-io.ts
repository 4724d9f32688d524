/**
 * A `file://`-style tfjs IOHandler over node:fs, for pure-JS `@tensorflow/tfjs` which has
 * no file system handler of its own. Reads and writes the standard Layers format:
 * `model.json` (topology + weights manifest) and its weight shards.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { ErrorType, nonRetryable } from '../contracts/errors';
import { exists, resolveInside, writeFileAtomic } from './files';

export type Tf = typeof tfjs;
type Artifacts = tfjs.io.ModelArtifacts;
type WeightSpec = tfjs.io.WeightsManifestEntry;

export const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes a weight occupies on disk, from its shape and (quantised) dtype. */
function specBytes(spec: WeightSpec): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = BYTES[dtype];
  if (size === undefined) throw invalid(`weight ${spec.name} has unsupported dtype ${dtype}`);
  return spec.shape.reduce((a, b) => a * b, 1) * size;
}

function invalid(message: string): Error {
  return nonRetryable(ErrorType.InvalidModel, message);
}

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: tfjs.io.TrainingConfig;
}

async function readModelJson(dir: string): Promise<ModelJson> {
  const file = path.join(dir, MODEL_JSON);
  if (!(await exists(file))) throw invalid(`${file} is missing`);
  try {
    const json = JSON.parse(await fs.readFile(file, 'utf8')) as ModelJson;
    if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object') throw new Error('no modelTopology');
    if (!Array.isArray(json.weightsManifest)) throw new Error('no weightsManifest');
    return json;
  } catch (err) {
    throw invalid(`${file} is not a tfjs Layers model.json: ${(err as Error).message}`);
  }
}

/** Read every shard of one manifest group and check its size against the specs. */
async function readGroup(dir: string, group: { paths: string[]; weights: WeightSpec[] }): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const p of group.paths) {
    const file = resolveInside(dir, p);
    if (!(await exists(file))) throw invalid(`weight file ${file} is missing`);
    parts.push(await fs.readFile(file));
  }
  const data = Buffer.concat(parts);
  const expected = group.weights.reduce((s, w) => s + specBytes(w), 0);
  if (data.length !== expected) {
    throw invalid(`weights ${group.paths.join(', ')} in ${dir} hold ${data.length} bytes but the manifest needs ${expected} (truncated or mismatched)`);
  }
  return data;
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/**
 * IOHandler reading/writing a Layers model in `dir`. `load` fails with InvalidModel when
 * model.json or a weight file is missing or a shard does not match its manifest.
 * `save` writes one `weights.bin` shard, each file atomically.
 */
export function fileSystemIO(dir: string): tfjs.io.IOHandler {
  return {
    async load(): Promise<Artifacts> {
      const json = await readModelJson(dir);
      const groups = json.weightsManifest ?? [];
      const data: Buffer[] = [];
      for (const g of groups) data.push(await readGroup(dir, g));
      return {
        modelTopology: json.modelTopology as object,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData: toArrayBuffer(Buffer.concat(data)),
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? null,
        trainingConfig: json.trainingConfig,
      };
    },
    async save(artifacts: Artifacts): Promise<tfjs.io.SaveResult> {
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : joinWeights(artifacts.weightData);
      const json: ModelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      await writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(json));
      const topologyBytes = Buffer.byteLength(JSON.stringify(artifacts.modelTopology ?? {}));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: topologyBytes, weightDataBytes: weights.byteLength },
      };
    },
  };
}

function joinWeights(data: tfjs.io.WeightData): ArrayBuffer {
  if (!Array.isArray(data)) return data;
  const total = data.reduce((s, b) => s + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out.buffer;
}
