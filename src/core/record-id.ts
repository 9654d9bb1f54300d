/**
 * @module
 * Ids the node gives new records: UUID version 7 (RFC 9562 §5.7, `uuid`'s v7: a 48-bit Unix time in
 * milliseconds, then a counter and random bits), so ids made later sort later. The vault keys wrapped
 * record keys by record id; with random (v4) ids every record dirtied a random page of that B-tree,
 * with time-ordered ids new rows land on its last pages, so storing a record costs less. The time an id
 * shows is the time of its record's transaction, which the chain shows beside it anyway.
 */
import { v7 } from 'uuid';

/** A new record id (a lowercase UUIDv7 string, valid as a FHIR id). */
export function newRecordId(): string {
  return v7();
}
