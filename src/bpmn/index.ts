// Public API of src/bpmn: parse, validate and compile BPMN 2.0 XML into ProcessModels.
// bpmn-moddle objects never leave this folder.
export type { BpmnLimits, BpmnParseResult, DeploymentProblem, DeploymentWarning } from './types.js';
export { DEFAULT_LIMITS } from './types.js';
export { parseBpmn } from './parse-bpmn.js';
export { BpmnParserPool, type BpmnParserPoolOptions } from './parser-pool.js';
export { normaliseXml, xmlHash } from './xml-hash.js';
export { decodeXml } from './decode.js';
export * from './process-model.js';
export {
  SUPPORTED_ELEMENTS,
  EVENT_SUBPROCESS_START_TRIGGERS,
  IGNORED_BPMN_TYPES,
  type EventTrigger,
  type SupportedElement,
} from './supported-elements.js';
