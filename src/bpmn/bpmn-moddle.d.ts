// The little of bpmn-moddle 10 that src/bpmn uses (its main entry ships no type declarations).
// Elements are dynamic (descriptor-driven), hence the index signature; only src/bpmn sees them.
declare module 'bpmn-moddle' {
  export interface ModdleElement {
    readonly $type: string;
    $parent?: ModdleElement;
    $attrs?: Record<string, string>;
    id?: string;
    $instanceOf(type: string): boolean;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    [property: string]: any;
  }

  export interface ModdleWarning {
    message: string;
    element?: ModdleElement;
    property?: string;
    value?: unknown;
    error?: Error;
  }

  export interface ModdleParseResult {
    rootElement: ModdleElement;
    elementsById: Record<string, ModdleElement>;
    warnings: ModdleWarning[];
  }

  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string, options?: Record<string, unknown>): Promise<ModdleParseResult>;
  }
}
