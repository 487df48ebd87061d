// Module hooks (node:module register) that compile the app's own TypeScript (src/) with the
// TypeScript compiler instead of tsx's esbuild, so `design:paramtypes` metadata is emitted and
// Nest can inject constructor parameters. Plain JS: it loads in the hooks thread, before tsx applies.
import { readFile } from 'node:fs/promises';
import ts from 'typescript';

let srcPrefix = '';

export function initialize(data) {
  srcPrefix = data.srcUrl;
}

const compilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  isolatedModules: true,
  esModuleInterop: true,
  useDefineForClassFields: true,
  inlineSourceMap: true,
  inlineSources: true,
};

export async function load(url, context, nextLoad) {
  if (!url.startsWith(srcPrefix) || !url.endsWith('.ts')) return nextLoad(url, context);
  const text = await readFile(new URL(url), 'utf8');
  const { outputText } = ts.transpileModule(text, { compilerOptions, fileName: new URL(url).pathname });
  return { format: 'module', source: outputText, shortCircuit: true };
}
