// Preloaded after the zod library (WORKFLOW_PRELOAD_MODULES, worker/create-worker.ts): every module of
// core/ and agents/ that the workflows use, evaluated once and shared by every run instead of once per
// run. They are pure and keep no state (design.md), which is what the SDK asks of a preloaded module.
// Without this each cached run held its own ~800 zod schemas (~1 MB) and built them at its start.
// test/workflows/workflow-bundle.test.ts checks that the list holds every such module of the bundle.
import { settleSharedSchemas } from './settle-schemas';
import * as agentsDeploybot from '../agents/deploybot';
import * as agentsDeploybotPrompt from '../agents/deploybot/prompt';
import * as agentsDeploybotTools from '../agents/deploybot/tools';
import * as agentsDeployer from '../agents/deployer';
import * as agentsEnvironments from '../agents/environments';
import * as agents from '../agents';
import * as agentsNotifier from '../agents/notifier';
import * as agentsPipeline from '../agents/pipeline';
import * as agentsReporter from '../agents/reporter';
import * as agentsTester from '../agents/tester';
import * as agentsTriage from '../agents/triage';
import * as coreAgent from '../core/agent';
import * as coreBudget from '../core/budget';
import * as coreCompactErrors from '../core/compact-errors';
import * as coreConstants from '../core/constants';
import * as coreContextFit from '../core/context-fit';
import * as coreContextPlanner from '../core/context-planner';
import * as coreContext from '../core/context';
import * as coreContinuation from '../core/continuation';
import * as coreDecisions from '../core/decisions';
import * as coreDigest from '../core/digest';
import * as coreErrors from '../core/errors';
import * as coreFlowText from '../core/flow-text';
import * as coreFork from '../core/fork';
import * as coreIdentity from '../core/identity';
import * as coreLogIndexes from '../core/log-indexes';
import * as coreModelInputRender from '../core/model-input-render';
import * as corePlaceholders from '../core/placeholders';
import * as corePolicy from '../core/policy';
import * as corePrefixSums from '../core/prefix-sums';
import * as corePrompt from '../core/prompt';
import * as coreQuorum from '../core/quorum';
import * as coreReducer from '../core/reducer';
import * as coreRefusals from '../core/refusals';
import * as coreRunMetrics from '../core/run-metrics';
import * as coreRun from '../core/run';
import * as coreShellQuote from '../core/shell-quote';
import * as coreSpendBudget from '../core/spend-budget';
import * as coreThread from '../core/thread';
import * as coreTools from '../core/tools';
import * as coreUndecodable from '../core/undecodable';
import * as coreUsage from '../core/usage';
import * as coreWaiting from '../core/waiting';
import * as coreZodIssues from '../core/zod-issues';

settleSharedSchemas({
  'agents/deploybot': agentsDeploybot,
  'agents/deploybot/prompt': agentsDeploybotPrompt,
  'agents/deploybot/tools': agentsDeploybotTools,
  'agents/deployer': agentsDeployer,
  'agents/environments': agentsEnvironments,
  agents: agents,
  'agents/notifier': agentsNotifier,
  'agents/pipeline': agentsPipeline,
  'agents/reporter': agentsReporter,
  'agents/tester': agentsTester,
  'agents/triage': agentsTriage,
  'core/agent': coreAgent,
  'core/budget': coreBudget,
  'core/compact-errors': coreCompactErrors,
  'core/constants': coreConstants,
  'core/context-fit': coreContextFit,
  'core/context-planner': coreContextPlanner,
  'core/context': coreContext,
  'core/continuation': coreContinuation,
  'core/decisions': coreDecisions,
  'core/digest': coreDigest,
  'core/errors': coreErrors,
  'core/flow-text': coreFlowText,
  'core/fork': coreFork,
  'core/identity': coreIdentity,
  'core/log-indexes': coreLogIndexes,
  'core/model-input-render': coreModelInputRender,
  'core/placeholders': corePlaceholders,
  'core/policy': corePolicy,
  'core/prefix-sums': corePrefixSums,
  'core/prompt': corePrompt,
  'core/quorum': coreQuorum,
  'core/reducer': coreReducer,
  'core/refusals': coreRefusals,
  'core/run-metrics': coreRunMetrics,
  'core/run': coreRun,
  'core/shell-quote': coreShellQuote,
  'core/spend-budget': coreSpendBudget,
  'core/thread': coreThread,
  'core/tools': coreTools,
  'core/undecodable': coreUndecodable,
  'core/usage': coreUsage,
  'core/waiting': coreWaiting,
  'core/zod-issues': coreZodIssues,
});
