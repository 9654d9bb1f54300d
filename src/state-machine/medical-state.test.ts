import { MedicalState } from './medical-state.ts';
import { medicalStateConformance } from './medical-state-conformance.ts';

medicalStateConformance('memory', {
  create: (isPatientRecord) => ({ state: new MedicalState(isPatientRecord), close: () => undefined }),
});
