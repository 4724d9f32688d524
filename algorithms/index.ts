/**
 * Public surface of the pure selection algorithms: clustering, recall, halving, the
 * convergence-trend filter, cost accounting and the policy registry.
 */
export type { Clustering, Direction, PerformanceMatrix, RunRecord, RunSet } from './types';
export { cell } from './types';
export { clusterPaper, paperDistance, type PaperClusterOptions } from './cluster-paper';
export { clusterKMeans, kmeans, kmeans1d, silhouette, type KMeansOptions, type KMeansClusterOptions } from './kmeans';
export { recall, recallScores, topBy, type RecallProxy } from './recall';
export { halvingCost, halvingSchedule, keepBest, keepCount, survivors } from './halving';
export { standardizedPrior, zScores } from './prior';
export { historyGap, noiseVariance, shrinkTowardPrior } from './shrinkage';
export { fineSelectionRound, predictFinal, trendFilter, type TrendOptions } from './trend-filter';
export { EpochLedger, PROXY_EPOCH_COST, bruteForceEpochs, selectionCost, type SelectionCost } from './cost';
export { meanHistory, matrixFromRuns, priorByModel } from './matrix';
export { decideStep, orientTask, proxyStep, recallStep, runSelection, type Decision, type ProxyRequest, type Recall, type Rung, type SelectionPolicy, type SelectionRun, type SelectionTask, type TrainEpochs, type Verdict } from './policy';
export { POLICY_NAMES, createPolicy, parsePolicySpec, policyFromSpec, type PolicyName, type PolicyOptions } from './policies';
