import type { InstanceState } from '../engine/types.js';
import type { InstanceStatusColumn } from '../persistence/runtime-rows.js';

/** The API's instance state: `incident` = active with an open incident, `suspended` while suspended. */
export function statusOf(state: InstanceState): InstanceStatusColumn {
  if (state.status !== 'active') return state.status;
  if (state.suspended) return 'suspended';
  return Object.keys(state.incidents).length > 0 ? 'incident' : 'active';
}
