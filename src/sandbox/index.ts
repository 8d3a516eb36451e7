/** Session sandboxes: which sessions run their tools in Docker, under what tool policy, and the containers. */
export {
  DEFAULT_SANDBOX_TOOL_ALLOW,
  DEFAULT_SANDBOX_TOOL_DENY,
  isSandboxed,
  mainSessionKeyFor,
  resolveSandboxConfig,
  sandboxToolPolicy,
  sandboxToolPolicyWithSources,
  type SandboxSettings,
  type SandboxToolPolicy,
} from "./config.js";
export { SandboxManager, SandboxUnavailableError, type DockerProbe, type SandboxContainer, type SandboxManagerOptions } from "./manager.js";
export { explainSandbox, formatExplanation, type SandboxExplanation } from "./explain.js";
