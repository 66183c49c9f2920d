// Every export here becomes a workflow type: export workflow functions only.
export { agentWorkflow } from './agent';
export { deployWorkflow } from './deploy';
