/**
 * Public surface of replay: parse and load recorded runs, answer training from them, and
 * evaluate selection policies under the paper and leave-one-dataset-out protocols.
 */
export { AnchorFormatError, formatCurvesCsv, parseCurvesCsv, parseDatasetDirections, parseHistoryMatrix, parseNameList, parseProxyScores } from './anchor-format';
export { syntheticRecordedHub, writeAnchorsDir, type SyntheticHub, type SyntheticHubOptions } from './synthetic';
export { loadAnchors, type AnchorData } from './load';
export { ReplayTrainer, replayCheckpointKey } from './replay-trainer';
export { trainerBackend } from './trainer-backend';
export { PAPER_TARGETS, PUBLISHED_TABLE_VI, looCases, paperCases, type ReplayCase } from './protocols';
export { evaluateCase, evaluatePolicy, summarize, type CaseResult, type PolicySummary } from './evaluate';
export { DEFAULT_METHODS, runReplay, type ReplayReport, type ReplayRequest } from './run';
