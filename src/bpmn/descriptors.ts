// Namespaces and moddle descriptors, loaded once per thread. The descriptors also tell the XML
// pre-check which element names bpmn-moddle knows, so it can count the unknown ones (each costs
// bpmn-moddle a warning whose position lookup rescans the text) before bpmn-moddle ever runs.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const NS = {
  bpmn: 'http://www.omg.org/spec/BPMN/20100524/MODEL',
  bpmndi: 'http://www.omg.org/spec/BPMN/20100524/DI',
  dc: 'http://www.omg.org/spec/DD/20100524/DC',
  di: 'http://www.omg.org/spec/DD/20100524/DI',
  bioc: 'http://bpmn.io/schema/bpmn/biocolor/1.0',
  color: 'http://www.omg.org/spec/BPMN/non-normative/color/1.0',
  zeebe: 'http://camunda.org/schema/zeebe/1.0',
  camunda: 'http://camunda.org/schema/1.0/bpmn',
  modeler: 'http://camunda.org/schema/modeler/1.0',
} as const;

/** Camunda 7 reads the Activiti namespace as its own (Camunda began as an Activiti fork), and
 *  Flowable kept the same attribute names; both are read as camunda:. */
export const CAMUNDA_ALIASES: ReadonlySet<string> = new Set(['http://activiti.org/bpmn', 'http://flowable.org/bpmn']);

interface DescriptorProperty {
  name: string;
  isAttr?: boolean;
}
interface DescriptorType {
  name: string;
  properties?: DescriptorProperty[];
}
export interface Descriptor {
  name: string;
  uri: string;
  prefix: string;
  xml?: { tagAlias?: string };
  types: DescriptorType[];
}

function load(path: string): Descriptor {
  return require(path) as Descriptor;
}

export const zeebeDescriptor = load('zeebe-bpmn-moddle/resources/zeebe.json');
export const camundaDescriptor = load('camunda-bpmn-moddle/resources/camunda.json');

const builtIn: Descriptor[] = [
  load('bpmn-moddle/resources/bpmn/json/bpmn.json'),
  load('bpmn-moddle/resources/bpmn/json/bpmndi.json'),
  load('bpmn-moddle/resources/bpmn/json/dc.json'),
  load('bpmn-moddle/resources/bpmn/json/di.json'),
];

/** Element local names bpmn-moddle can read, per namespace: type names (lower-cased first letter
 *  where the package says so) and non-attribute property names. A superset is fine: this only
 *  bounds a count, bpmn-moddle still has the last word. */
function elementNames(d: Descriptor): Set<string> {
  const lower = d.xml?.tagAlias === 'lowerCase';
  const names = new Set<string>();
  for (const t of d.types) {
    names.add(t.name);
    if (lower) names.add(t.name.charAt(0).toLowerCase() + t.name.slice(1));
    for (const p of t.properties ?? []) if (!p.isAttr) names.add(p.name.replace(/^\w+:/, ''));
  }
  return names;
}

export const KNOWN_ELEMENT_NAMES: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  [...builtIn, zeebeDescriptor, camundaDescriptor].map((d) => [d.uri, elementNames(d)]),
);
