import { Module } from '@nestjs/common';
import { JobDispatcher } from './job-dispatcher.js';
import { JobReconciler } from './job-reconciler.js';
import { JobResults } from './job-results.js';
import { JobTransport } from './job-transport.js';

/**
 * Service tasks on BullMQ: dispatch (outbox → flows), results (engine-side worker → commands) and
 * the reconciler that makes PostgreSQL's pending jobs and Redis agree again. See docs/workers.md.
 */
@Module({
  providers: [JobTransport, JobDispatcher, JobResults, JobReconciler],
  exports: [JobTransport, JobDispatcher, JobResults, JobReconciler],
})
export class JobsModule {}
