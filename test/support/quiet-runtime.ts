// Expected failures (invalid model output, refused tools) make the worker log warnings; tests keep errors only.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('ERROR') });
