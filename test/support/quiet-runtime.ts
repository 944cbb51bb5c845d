import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state changes are logged at INFO for every test worker; keep test output to warnings and errors.
Runtime.install({ logger: new DefaultLogger('WARN') });
