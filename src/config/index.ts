// Public API of the config stage: file path or document → validated, normalised JunctionConfig.
export { loadConfig, parseConfig, resolveConfigPath, type ParseConfigOptions } from './load.js';
export { substituteEnv, substituteString, type SubstitutionResult } from './env.js';
export { configFileSchema, configJsonSchema, normaliseConfig, type ConfigFile } from './schema.js';
export { validateConfig } from './validate.js';
export { ACCESS_VERBS, FILTER_OPERATORS, verbMask, verbsFromMask } from './auth-schema.js';
export type * from './types.js';
