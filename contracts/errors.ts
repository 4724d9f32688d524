import { ApplicationFailure } from '@temporalio/common';

/**
 * The failure types mselect raises. Workflows branch on `failure.type`, never on
 * `instanceof`, because an activity error crosses the wire as an ApplicationFailure.
 */
export const ErrorType = {
  InvalidInput: 'InvalidInput',
  ModelNotFound: 'ModelNotFound',
  DatasetNotFound: 'DatasetNotFound',
  InvalidModel: 'InvalidModel',
  InvalidDataset: 'InvalidDataset',
  TrainingDiverged: 'TrainingDiverged',
  TrainerFailed: 'TrainerFailed',
  StoreCorrupt: 'StoreCorrupt',
  SchemaVersionMismatch: 'SchemaVersionMismatch',
  PathOutsideRoot: 'PathOutsideRoot',
  /** MSELECT_STORAGE malformed, the bucket missing, the credentials refused. */
  StorageMisconfigured: 'StorageMisconfigured',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Failure types that no retry can fix: every retry policy lists them. */
export const NON_RETRYABLE: readonly ErrorType[] = [
  ErrorType.InvalidInput,
  ErrorType.ModelNotFound,
  ErrorType.DatasetNotFound,
  ErrorType.InvalidModel,
  ErrorType.InvalidDataset,
  ErrorType.TrainingDiverged,
  ErrorType.StoreCorrupt,
  ErrorType.SchemaVersionMismatch,
  ErrorType.PathOutsideRoot,
  ErrorType.StorageMisconfigured,
];

/** A non-retryable failure of the given type with a message that names what is wrong and where. */
export function nonRetryable(type: ErrorType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? [] : [details] });
}
