/**
 * @module
 * Who wrote a record, in words: the organization's name and, when the author key is a
 * practitioner in the directory, their name (records imported by a node show the organization only).
 */
import type { Directory } from '../../../../src/api/contract/users.ts';

export function orgName(dir: Directory | undefined, org: string): string {
  return dir?.organizations.find((o) => o.id === org)?.name ?? org;
}

export function authorName(dir: Directory | undefined, keyId: string): string | undefined {
  return dir?.practitioners.find((p) => p.keyId === keyId)?.name;
}
