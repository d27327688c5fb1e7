/**
 * How a framework is declared: `defineFramework({ name, description, schema, create })`, where `create`
 * receives its hyper-parameters as parsed by its zod schema (validated at the door, one error format).
 */
import type { z } from 'zod';
import { parseParams, type Definition } from '../registry/index.js';
import type { Framework, FrameworkFactoryArgs } from './types.js';

export interface FrameworkDefinition extends Definition {
  /** The hyper-parameters (`framework.*` in a config), a strict zod object with defaults. */
  readonly schema: z.ZodObject;
  /** Validate `args.params` and build the framework. */
  create(args: FrameworkFactoryArgs): Framework;
}

export function defineFramework<S extends z.ZodObject>(d: {
  name: string;
  description: string;
  schema: S;
  create: (params: z.output<S>, args: FrameworkFactoryArgs) => Framework;
}): FrameworkDefinition {
  return {
    name: d.name,
    description: d.description,
    schema: d.schema,
    create: (args) => d.create(parseParams(`framework '${d.name}'`, d.schema, args.params), args),
  };
}
