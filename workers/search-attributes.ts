/**
 * mselect's custom search attributes (`MselectTarget`, `MselectPolicy`: the selections a user
 * lists with `mselect status`) registered on a namespace when missing. The embedded dev
 * server gets them from temporal-dev.yml at launch; a real cluster gets them here, from
 * `mselect cluster init` and from every worker at start. Idempotent and safe when several
 * workers start at once.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType, type SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import type { temporal } from '@temporalio/proto';
import { loadDevServerConfig } from '../server/dev-server';

type OperatorService = Pick<temporal.api.operatorservice.v1.OperatorService, 'listSearchAttributes' | 'addSearchAttributes'>;
type Key = SearchAttributeKey<SearchAttributeType>;

const TYPES: Readonly<Record<string, SearchAttributeType>> = {
  Keyword: SearchAttributeType.KEYWORD,
  Text: SearchAttributeType.TEXT,
  Int: SearchAttributeType.INT,
  Double: SearchAttributeType.DOUBLE,
  Bool: SearchAttributeType.BOOL,
  Datetime: SearchAttributeType.DATETIME,
  KeywordList: SearchAttributeType.KEYWORD_LIST,
};

/** The search attributes mselect's workflows set, as typed keys; temporal-dev.yml is the one list of them. */
export function mselectSearchAttributes(cfg = loadDevServerConfig()): Key[] {
  return Object.entries(cfg.searchAttributes).map(([name, type]) => defineSearchAttributeKey(name, TYPES[type] as SearchAttributeType));
}

export interface SearchAttributeReport {
  readonly namespace: string;
  /** Registered by this call. */
  readonly added: string[];
  /** Already registered with the right type. */
  readonly present: string[];
}

/** Thrown when an attribute exists with another type, or the server refuses to register one. */
export class SearchAttributeError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'SearchAttributeError';
  }
}

const GRPC_ALREADY_EXISTS = 6;
const grpcCode = (e: unknown): number | undefined => (typeof (e as { code?: unknown })?.code === 'number' ? (e as { code: number }).code : undefined);

async function registered(service: OperatorService, namespace: string): Promise<Map<string, number>> {
  const res = await service.listSearchAttributes({ namespace });
  return new Map(Object.entries(res.customAttributes ?? {}).map(([k, v]) => [k, Number(v)]));
}

/** Keys `existing` lacks; throws SearchAttributeError for a key registered with another type. */
function missingKeys(keys: readonly Key[], existing: Map<string, number>, namespace: string): Key[] {
  return keys.filter((k) => {
    const have = existing.get(k.name);
    if (have === undefined) return true;
    if (have !== encodeSearchAttributeIndexedValueType(k.type)) {
      throw new SearchAttributeError(
        `Search attribute ${k.name} on namespace ${namespace} has type ${have}, but mselect needs ${k.type}; remove it or use another namespace`,
      );
    }
    return false;
  });
}

/**
 * Register the `keys` missing on `namespace` through the operator service. A concurrent
 * registration by another worker (ALREADY_EXISTS) counts as success once the list shows it.
 */
export async function ensureSearchAttributes(
  service: OperatorService,
  namespace: string,
  keys: readonly Key[] = mselectSearchAttributes(),
): Promise<SearchAttributeReport> {
  const missing = missingKeys(keys, await registered(service, namespace), namespace);
  const present = keys.filter((k) => !missing.includes(k)).map((k) => k.name);
  if (missing.length === 0) return { namespace, added: [], present };
  try {
    const searchAttributes = Object.fromEntries(
      missing.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type) as temporal.api.enums.v1.IndexedValueType]),
    );
    await service.addSearchAttributes({ namespace, searchAttributes });
  } catch (e) {
    if (grpcCode(e) !== GRPC_ALREADY_EXISTS) {
      throw new SearchAttributeError(
        `Cannot register search attributes ${missing.map((k) => k.name).join(', ')} on namespace ${namespace}: ${(e as Error).message}`,
        grpcCode(e),
      );
    }
    if (missingKeys(missing, await registered(service, namespace), namespace).length > 0)
      throw new SearchAttributeError(`Search attributes on ${namespace}: ${(e as Error).message}`);
  }
  return { namespace, added: missing.map((k) => k.name), present };
}

/** One line for logs: what was added and what was there. */
export function describeReport(r: SearchAttributeReport): string {
  const parts = [r.added.length ? `registered ${r.added.join(', ')}` : '', r.present.length ? `${r.present.join(', ')} already present` : ''].filter(Boolean);
  return `Search attributes on namespace ${r.namespace}: ${parts.join('; ')}`;
}
