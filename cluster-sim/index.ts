export * from './faults.js';
export * from './kubeconfig.js';
export * from './kubectl.js';
export * from './simulator.js';
export { DataFileError } from './persistence.js';
export { SERVER_VERSION } from './api-server.js';
export {
  runSimulatorCommand,
  parseSimulatorArgs,
  SimulatorUsageError,
  DEFAULT_SIM_PORTS,
  DEFAULT_SIM_ADMIN_PORT,
  DEFAULT_SIM_DIR,
} from './main.js';
export type { SimulatorCommandOptions } from './main.js';
