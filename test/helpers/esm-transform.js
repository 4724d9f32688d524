/**
 * ES-module-only packages (the Parquet reader and writer and their decompressors): Node
 * requires them as they are; jest's module system needs them transpiled to CommonJS. Shared
 * by jest.config.js and jest.faults.config.js.
 */
const esmOnly = ['hyparquet', 'hyparquet-writer', 'hyparquet-compressors', 'hysnappy'];

module.exports = {
  transform: { [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs' }, isolatedModules: true }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};
