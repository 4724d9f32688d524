/**
 * Public surface of the model hub: hub models and cards, datasets and default
 * locations (the demo hub builders live in demo/).
 */
export { defaultHubPaths, PROJECT_ROOT, type HubPaths } from './paths';
export { listModelIds, loadHubModel, loadModelDir, readCard, saveHubModel, type HubModel } from './models';
export { fileSystemIO, type Tf } from './model-io';
export { loadDataset, loadSplit, readManifest, writeDataset, type DatasetSplit, type LoadedDataset } from './datasets';
export { resolveInside, writeFileAtomic } from './files';
