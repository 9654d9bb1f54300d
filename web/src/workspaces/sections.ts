/**
 * @module
 * The portal's sections: which roles see each one, its URL segment and its page component. A page
 * gets the URL segments after its own (e.g. `#/chart/<patient id>` → `params = [id]`).
 */
import type { ComponentType } from 'react';
import type { PageProps } from './page-props.ts';
import type { Role } from '../../../src/api/contract/auth.ts';
import { UsersPage } from './admin/UsersPage.tsx';
import { NodePage } from './admin/NodePage.tsx';
import { ErasurePage } from './admin/ErasurePage.tsx';
import { TokensPage } from './common/TokensPage.tsx';
import { PatientsPage } from './doctor/PatientsPage.tsx';
import { ChartPage } from './doctor/ChartPage.tsx';
import { MyRecordsPage } from './patient/MyRecordsPage.tsx';
import { ConsentsPage } from './patient/ConsentsPage.tsx';
import { AccessLogPage } from './patient/AccessLogPage.tsx';
import { MyDataPage } from './patient/MyDataPage.tsx';
import { CohortsPage } from './researcher/CohortsPage.tsx';
import { ExportPage } from './researcher/ExportPage.tsx';
import { ExplorerPage } from './explorer/ExplorerPage.tsx';
import { AuditLogPage } from './explorer/AuditLogPage.tsx';
import { AttackLabPage } from './explorer/AttackLabPage.tsx';

export interface Section {
  readonly id: string;
  readonly label: string;
  readonly roles: readonly Role[];
  readonly page: ComponentType<PageProps>;
  /** Reached from the section with this id: not in the navigation, highlighted as that section. */
  readonly under?: string;
}

export const SECTIONS: readonly Section[] = [
  { id: 'patients', label: 'Patients', roles: ['doctor'], page: PatientsPage },
  { id: 'chart', label: 'Patient chart', roles: ['doctor'], page: ChartPage, under: 'patients' },
  { id: 'my-records', label: 'My records', roles: ['patient'], page: MyRecordsPage },
  { id: 'consents', label: 'My consents', roles: ['patient'], page: ConsentsPage },
  { id: 'access-log', label: 'Who accessed my data', roles: ['patient'], page: AccessLogPage },
  { id: 'my-data', label: 'My data', roles: ['patient'], page: MyDataPage },
  { id: 'cohorts', label: 'Cohorts', roles: ['researcher'], page: CohortsPage },
  { id: 'export', label: 'OMOP export', roles: ['researcher'], page: ExportPage },
  { id: 'users', label: 'Users', roles: ['admin'], page: UsersPage },
  { id: 'node', label: 'Node & integrity', roles: ['admin', 'auditor'], page: NodePage },
  { id: 'erasure', label: 'Erasure requests', roles: ['admin'], page: ErasurePage },
  { id: 'audit', label: 'Access log', roles: ['admin', 'auditor'], page: AuditLogPage },
  { id: 'explorer', label: 'Chain explorer', roles: ['admin', 'auditor'], page: ExplorerPage },
  { id: 'attack-lab', label: 'Attack lab', roles: ['admin', 'auditor'], page: AttackLabPage },
  {
    id: 'tokens',
    label: 'API tokens',
    roles: ['admin', 'doctor', 'patient', 'researcher', 'auditor'],
    page: TokensPage,
  },
];

export function sectionsOf(role: Role): Section[] {
  return SECTIONS.filter((s) => s.roles.includes(role));
}
