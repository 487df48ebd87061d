/** The authenticated caller, as every controller and service sees it. */
export interface Principal {
  /** The token's `sub`. */
  readonly id: string;
  /** Token `roles` plus the directory's groups for this user, de-duplicated. */
  readonly groups: readonly string[];
  readonly email?: string;
  readonly name?: string;
}

/** Groups the product itself gives meaning to (API.md, Conventions). Other group names are free-form. */
export const BuiltInGroup = {
  /** Everything, including other users' tasks. */
  Admin: 'admin',
  /** Deploying process models. */
  Modeler: 'modeler',
  /** Signals, messages and starting instances. */
  Integrator: 'integrator',
} as const;
export type BuiltInGroup = (typeof BuiltInGroup)[keyof typeof BuiltInGroup];
