import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { RuntimeTransaction } from './runtime-transaction.js';

/** PostgreSQL error codes a command may hit under concurrency; the whole command is then retried. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 8;

/**
 * Entry point of every engine step: one PostgreSQL transaction, retried from scratch on
 * serialization failures and deadlocks. Only this folder touches TypeORM; the runtime sees the
 * typed statements of RuntimeTransaction.
 */
@Injectable()
export class RuntimeStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async transaction<T>(work: (tx: RuntimeTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const runner: QueryRunner = this.dataSource.createQueryRunner();
      await runner.connect();
      try {
        // READ COMMITTED is every connection's default (data-source.ts): one BEGIN, no SET TRANSACTION.
        await runner.startTransaction();
        const result = await work(new RuntimeTransaction(runner));
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        const code = (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
        if (code !== undefined && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
          continue;
        }
        throw error;
      } finally {
        await runner.release();
      }
    }
  }

  /** Read-only statements outside a command (queries for the API). */
  async read<T>(work: (tx: RuntimeTransaction) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      return await work(new RuntimeTransaction(runner));
    } finally {
      await runner.release();
    }
  }
}
