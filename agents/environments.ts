import { z } from 'zod';

/** Where DeployBot and the pipeline deploy and test: the one list of environments, for tools and the release store. */
export const Environment = z.enum(['staging', 'production']);
export type Environment = z.infer<typeof Environment>;
