// One moddle descriptor per file, as Camunda Modeler does: registering the zeebe and camunda
// descriptors on one BpmnModdle instance silently drops whole processes (both define
// modelerTemplate). The file's own usage decides; the modeler's executionPlatform breaks a tie.
import type { Dialect } from './process-model.js';
import { CAMUNDA_ALIASES, NS } from './descriptors.js';
import type { PrecheckInfo } from './xml-precheck.js';

export interface DialectChoice {
  dialect: Dialect;
  /** Set when the file uses both extension namespaces and one is ignored. */
  warning?: string;
}

export function chooseDialect(info: PrecheckInfo): DialectChoice {
  const { zeebe, camunda } = info.usage;
  if (zeebe > 0 && camunda > 0) {
    const dialect: Dialect = zeebe >= camunda ? 'zeebe' : 'camunda';
    const ignored = dialect === 'zeebe' ? `${camunda} camunda:` : `${zeebe} zeebe:`;
    return {
      dialect,
      warning:
        `the file uses both Camunda 7 (camunda:) and Camunda 8 (zeebe:) extensions; it is read as ` +
        `${dialect === 'zeebe' ? 'Camunda 8' : 'Camunda 7'} and its ${ignored} elements and attributes are ignored`,
    };
  }
  if (zeebe > 0) return { dialect: 'zeebe' };
  if (camunda > 0) return { dialect: 'camunda' };
  const platform = info.executionPlatform?.toLowerCase() ?? '';
  if (platform.includes('cloud') || platform.includes('8')) return { dialect: 'zeebe' };
  if (platform.includes('platform') || platform.includes('7')) return { dialect: 'camunda' };
  if (info.declared.has(NS.zeebe) && !info.declared.has(NS.camunda)) return { dialect: 'zeebe' };
  if (info.declared.has(NS.camunda) && !info.declared.has(NS.zeebe)) return { dialect: 'camunda' };
  return { dialect: 'bpmn' };
}

/** The extension namespace bpmn-moddle understands for this dialect (none for plain BPMN). */
export function dialectNamespace(dialect: Dialect): string | undefined {
  return dialect === 'zeebe' ? NS.zeebe : dialect === 'camunda' ? NS.camunda : undefined;
}

/**
 * Rebinds Activiti/Flowable prefixes to the camunda namespace (as Camunda 7 does for activiti:), so
 * the camunda descriptor reads `activiti:class` like `camunda:class`. Only namespace declarations
 * change; lines stay where they were.
 */
export function aliasCamundaNamespaces(text: string, aliases: ReadonlySet<string>): string {
  if (aliases.size === 0) return text;
  return text.replace(/(xmlns:[\w.-]+\s*=\s*)(["'])([^"']*)\2/g, (decl, head: string, quote: string, uri: string) =>
    CAMUNDA_ALIASES.has(uri) && aliases.has(uri) ? `${head}${quote}${NS.camunda}${quote}` : decl,
  );
}

export function aliasWarning(aliases: ReadonlySet<string>): string | undefined {
  if (aliases.size === 0) return undefined;
  return `the ${[...aliases].join(' and ')} namespace is read as Camunda 7 (camunda:), as Camunda 7 itself does for Activiti`;
}
