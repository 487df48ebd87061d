// tsx compiles with esbuild, which does not emit decorator metadata: under `tsx` the Nest app
// cannot resolve constructor injection ("Nest can't resolve dependencies of …"). Sections that
// boot the app call this first, then import src/ modules dynamically, so those are compiled by
// TypeScript (bench/decorator-metadata.hooks.mjs). Modules tsx already loaded stay as they are.
import { register } from 'node:module';

let registered = false;

export function enableDecoratorMetadata(): void {
  if (registered) return;
  registered = true;
  register('./decorator-metadata.hooks.mjs', import.meta.url, { data: { srcUrl: new URL('../src/', import.meta.url).href } });
}
