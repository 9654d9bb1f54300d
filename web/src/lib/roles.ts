/**
 * @module
 * Role names and colors, the same everywhere in the portal.
 */
import type { Role } from '../../../src/api/contract/auth.ts';

const LABELS: Record<Role, string> = {
  admin: 'Admin',
  doctor: 'Doctor',
  patient: 'Patient',
  researcher: 'Researcher',
  auditor: 'Auditor',
};
const COLORS: Record<Role, string> = {
  admin: 'grape',
  doctor: 'blue',
  patient: 'teal',
  researcher: 'orange',
  auditor: 'gray',
};

export const roleLabel = (r: Role): string => LABELS[r];
export const roleColor = (r: Role): string => COLORS[r];
