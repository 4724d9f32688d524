/**
 * Public surface of fine-tuning: the Trainer contract, the tfjs and external-command
 * trainers, the backend picker, checkpoints and the transfer table.
 */
export type { CheckpointRef, EpochRecord, Trainer, TrainHooks, TrainRequest, TrainResult } from './trainer';
export { TfjsTrainer, type TfjsTrainerConfig } from './tfjs-trainer';
export { CommandTrainer, type CommandJob, type CommandTrainerConfig } from './command-trainer';
export { BACKEND_ORDER, activate, pickBackend, probeBackends, tryBackend, type Backend, type PickBackendOptions, type TfBackendName } from './backend';
export { CheckpointStore, type CheckpointMeta, type CheckpointPayload } from './checkpoint-store';
export { ADAM_DEFAULTS, type AdamOptions } from './adam';
export { SESSION_DEFAULTS, type SessionOptions } from './session';
export { balancedProbe } from './probe';
export { transferSummary, transferTable, type TransferOptions, type TransferTable } from './transfer';
