// Workers for the job types of the example models in processes/ (see processes/README.md), run by
// `npm run worker`. Stand-ins for real integrations: they answer from the job's variables alone, and
// the same job always gets the same answer, so a retried or re-delivered job does no harm.
import { createHash } from 'node:crypto';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { bpmnError, type BpmnErrorResult, createServiceWorker, type FlowdeskJob, type ServiceTaskHandler } from './service-worker.js';

interface Address {
  name?: string;
  street?: string;
  postalCode?: string;
  city?: string;
  country?: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const stableId = (...parts: string[]) => createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 8).toUpperCase();

/** validate-address (order-fulfilment): normalises the address, or reports `address-missing`. */
export const validateAddress: ServiceTaskHandler = ({ variables }) => {
  const address = (variables.address ?? null) as Address | null;
  if (address === null || typeof address !== 'object') return bpmnError('address-missing', 'no address', { addressProblem: 'no delivery address was given' });
  for (const [field, label] of [['street', 'street'], ['postalCode', 'postal code'], ['city', 'city'], ['country', 'country']] as const) {
    if (text(address[field]) === '') return bpmnError('address-missing', `${label} missing`, { addressProblem: `${label} missing` });
  }
  return {
    address: {
      ...address,
      street: text(address.street),
      postalCode: text(address.postalCode).toUpperCase(),
      city: text(address.city),
      country: text(address.country).toUpperCase(),
    },
  };
};

/** book-shipping (order-fulfilment): books a (pretend) shipment; the same order gets the same booking. */
export const bookShipping: ServiceTaskHandler = ({ variables, jobKey }) => {
  const shipmentId = `SH-${stableId(text(variables.orderId) || jobKey)}`;
  return { shipmentId, carrier: 'DHL', trackingUrl: `https://tracking.example.com/${shipmentId}` };
};

/** archive-invoice (invoice-approval): files the approved invoice. */
export const archiveInvoice: ServiceTaskHandler = ({ variables, jobKey }) => {
  const year = new Date().getUTCFullYear();
  return { archiveId: `ARC-${year}-${stableId(text(variables.invoiceNumber) || jobKey, text(variables.creditor))}` };
};

export const EXAMPLE_HANDLERS: Readonly<Record<string, ServiceTaskHandler>> = {
  'validate-address': validateAddress,
  'book-shipping': bookShipping,
  'archive-invoice': archiveInvoice,
};

export interface RunningWorkers {
  readonly workers: readonly Worker<FlowdeskJob>[];
  close(): Promise<void>;
}

/** Starts a worker per job type (all example types by default); `onJob` hears about each job handled. */
export function startExampleWorkers(
  options: { connection: Redis; prefix: string; types?: readonly string[]; onJob?: (type: string, job: FlowdeskJob, outcome: string) => void },
): RunningWorkers {
  const types = options.types ?? Object.keys(EXAMPLE_HANDLERS);
  const workers = types.map((type) => {
    const handler = EXAMPLE_HANDLERS[type];
    if (!handler) throw new Error(`no example worker for job type '${type}' (known: ${Object.keys(EXAMPLE_HANDLERS).join(', ')})`);
    return createServiceWorker(
      type,
      async (job, raw) => {
        const result = await handler(job, raw);
        const error = result && typeof result === 'object' && '$bpmnError' in result ? (result as BpmnErrorResult).$bpmnError : null;
        const outcome = error ? `$bpmnError ${error.code}` : 'completed';
        options.onJob?.(type, job, outcome);
        return result;
      },
      { connection: options.connection, prefix: options.prefix },
    );
  });
  return {
    workers,
    close: async () => {
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}
