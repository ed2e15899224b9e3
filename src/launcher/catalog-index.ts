import type { BatchType } from '../../config/schema.js';

/** The stage's batch types by id, built once at cold start. */
export type CatalogIndex = ReadonlyMap<number, BatchType>;

export function indexCatalog(catalog: readonly BatchType[]): CatalogIndex {
  return new Map(catalog.map((type) => [type.batchTypeId, type]));
}
