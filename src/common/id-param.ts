import { type PipeTransform } from '@nestjs/common';
import { DomainError } from './domain-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A resource id in a path. Ids are UUIDs; any other text names nothing that exists, so it is a 404
 * like an unknown UUID (never a 400 that tells callers about our id format, nor a query on it).
 */
export class IdParam implements PipeTransform<unknown, string> {
  constructor(private readonly what: string) {}

  transform(value: unknown): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      const shown = typeof value === 'string' ? value.slice(0, 80).replace(/[^\x20-\x7e]/g, '?') : '';
      throw new DomainError('not-found', `${this.what} '${shown}' not found`);
    }
    return value.toLowerCase();
  }
}
