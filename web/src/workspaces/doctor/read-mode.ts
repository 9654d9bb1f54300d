/**
 * @module
 * How the chart is read: normally for treatment; after "break the glass" with the purpose
 * `emergency` and the stated reason, which every read (list and history) must carry.
 */

export interface ReadMode {
  readonly emergencyReason: string | null;
}

export function readQuery(mode: ReadMode): string {
  if (!mode.emergencyReason) return '';
  return `?purpose=emergency&breakGlassReason=${encodeURIComponent(mode.emergencyReason)}`;
}
