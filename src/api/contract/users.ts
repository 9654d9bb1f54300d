/**
 * @module
 * Shapes of `/api/v1/users`, `/api/v1/organizations` (user-routes.ts) and `/api/v1/directory`
 * (portal-routes.ts).
 */
import type { Role } from './auth.ts';

/** `POST /api/v1/users` body. */
export interface NewUserBody {
  readonly email: string;
  readonly name: string;
  readonly password: string;
  readonly role: Role;
  /** For a patient: the FHIR Patient id the account is. */
  readonly patientId?: string;
}

/** `GET /api/v1/organizations` item. */
export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly hostedHere: boolean;
}

/** `GET /api/v1/directory`: organization and active practitioner names for ids and key ids. */
export interface Directory {
  readonly organizations: readonly { readonly id: string; readonly name: string }[];
  readonly practitioners: readonly { readonly keyId: string; readonly name: string; readonly org: string }[];
}
