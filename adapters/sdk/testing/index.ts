export { ManualEnvironment, type ManualEnvironmentOptions } from './manual-environment.js';
export { AdapterConfigError, buildForTest, configProblems, instanceConfig, type TestHandlerOptions } from './harness.js';
