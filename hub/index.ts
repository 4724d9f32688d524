/**
 * Public surface of the model hub: hub models and cards, datasets, the demo hub builder
 * and default locations.
 */
export { defaultHubPaths, PROJECT_ROOT, type HubPaths } from './paths';
export { listModelIds, loadHubModel, loadModelDir, readCard, saveHubModel, type HubModel } from './models';
export { fileSystemIO, type Tf } from './model-io';
export { loadDataset, loadSplit, readManifest, writeDataset, type DatasetSplit, type LoadedDataset } from './datasets';
export { buildDemoHub, readRecord, specHash, type BuildDemoOptions, type BuildDemoResult, type DemoBuildRecord } from './demo';
export { DEMO_SPEC, demoDatasetIds, type DemoSpec } from './demo-spec';
export { resolveInside, writeFileAtomic } from './files';
