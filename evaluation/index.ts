/** Rank quality of recall scores on a stored matrix (`mselect evaluate`) and recall-only shortlists. */
export { rankQuality, regretAtK, meanFinite, type RankQuality } from './rank-quality';
export { evaluateRecall, meansOf, methodsOf, scoresOn, EvaluationInputError, type Evaluation, type EvaluationInput, type EvaluationRow } from './loo';
export { evaluationInput, storedProxies } from './from-store';
export { evaluationText, evaluationJson, evaluationPage } from './render';
export { recallShortlist, ShortlistInputError, type Shortlist, type ShortlistEntry, type ShortlistInput } from './shortlist';
