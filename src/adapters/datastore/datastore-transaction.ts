// How the Datastore store talks to Datastore: one SDK call with its failure classified,
// retries of what Datastore aborts for contention, and transactions that commit, roll back,
// end early without writing (EndWithout) or surface lasting contention as ConflictError.
import type { Datastore, Transaction } from '@google-cloud/datastore';
import { backOff } from 'exponential-backoff';
import { ConflictError } from '../../domain/errors';
import { GRPC, grpcCode, isAborted, toStoreError } from './datastore-errors';

/** Thrown inside a transaction to end it without committing, with a result. */
export class EndWithout<T> {
  constructor(readonly result: T) {}
}

/** One SDK call, its failure classified. */
export async function classified<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toStoreError(e, operation);
  }
}

/** Runs `fn` again (with backoff) while Datastore aborts it for contention. */
export function retryAborted<T>(attempts: number, fn: () => Promise<T>): Promise<T> {
  return backOff(fn, {
    numOfAttempts: attempts,
    startingDelay: 20,
    timeMultiple: 2,
    maxDelay: 1000,
    jitter: 'full',
    retry: (e: unknown) => isAborted(e),
  });
}

/**
 * Runs `work` in a transaction and commits; runs it again when Datastore aborts it for
 * contention (with backoff); surfaces lasting contention as ConflictError. `work` ends
 * the transaction without writing by throwing a ConflictError or an EndWithout.
 */
export async function runTransaction<T>(
  ds: Datastore,
  attempts: number,
  operation: string,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  try {
    return await retryAborted(attempts, async () => {
      const tx = ds.transaction();
      await tx.run();
      let result: T;
      try {
        result = await work(tx);
      } catch (e) {
        await tx.rollback().catch(() => undefined);
        throw e;
      }
      await tx.commit(); // the SDK rolls back a failed commit itself
      return result;
    });
  } catch (e) {
    if (e instanceof EndWithout) return e.result as T;
    if (isAborted(e)) throw new ConflictError(`datastore ${operation} contended`, { cause: e });
    if (grpcCode(e) === GRPC.alreadyExists)
      throw new ConflictError(`datastore ${operation} lost a race`, { cause: e });
    throw toStoreError(e, operation);
  }
}
