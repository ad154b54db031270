/**
 * Model files by URI: TensorFlow.js model.json with its weight shards, read and written through the storage layer
 * (local paths and s3://) or the local file system, and the checks that tell a missing model from a wrong one.
 */
export { fileInStore, localModelFiles, type ModelFiles, modelJsonUri, siblingUri, storeModelFiles } from './model-files.ts';
