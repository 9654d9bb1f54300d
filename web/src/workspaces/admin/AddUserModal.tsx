/**
 * @module
 * Enrolling a user (admin): name, email, role, and an initial password of at least 10 characters
 * typed twice (the node's rule). A patient account is linked to a FHIR Patient id, so the patient
 * sees the records written about them. The node creates the user's keys, seals them with the
 * password and signs an identity.register transaction.
 */
import { Modal, PasswordInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { api } from '../../api.ts';
import { roleLabel } from '../../lib/roles.ts';
import type { Role, User } from '../../../../src/api/contract/auth.ts';
import type { NewUserBody } from '../../../../src/api/contract/users.ts';
import { ModalFooter } from '../common/ModalFooter.tsx';

const ROLES: readonly Role[] = ['doctor', 'patient', 'researcher', 'auditor', 'admin'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PATIENT_ID = /^[A-Za-z0-9.-]{1,64}$/;
const MIN_PASSWORD = 10;

interface Fields {
  name: string;
  email: string;
  role: Role | null;
  patientId: string;
  password: string;
  confirm: string;
}
type Errors = Partial<Record<keyof Fields, string>>;

function validate(f: Fields): Errors {
  const e: Errors = {};
  if (!f.name.trim()) e.name = 'Enter the person’s name';
  if (!EMAIL.test(f.email.trim())) e.email = 'Enter an email address like name@hospital.example';
  if (!f.role) e.role = 'Choose a role';
  if (f.role === 'patient' && !PATIENT_ID.test(f.patientId.trim()))
    e.patientId = 'Enter the FHIR Patient id (letters, digits, “-” and “.”, up to 64)';
  if (f.password.length < MIN_PASSWORD)
    e.password = `Too short: use at least ${String(MIN_PASSWORD)} characters`;
  if (f.confirm !== f.password) e.confirm = 'The passwords do not match';
  return e;
}

export function AddUserModal({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (u: User) => void;
}): ReactNode {
  const [f, setF] = useState<Fields>({
    name: '',
    email: '',
    role: null,
    patientId: '',
    password: '',
    confirm: '',
  });
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set =
    <K extends keyof Fields>(k: K) =>
    (v: Fields[K]): void => {
      setF((old) => ({ ...old, [k]: v }));
    };

  const submit = (ev: SubmitEvent): void => {
    ev.preventDefault();
    const e = validate(f);
    setErrors(e);
    if (Object.keys(e).length > 0 || !f.role) return;
    setBusy(true);
    setError(null);
    const body: NewUserBody = {
      name: f.name.trim(),
      email: f.email.trim(),
      role: f.role,
      password: f.password,
      ...(f.role === 'patient' ? { patientId: f.patientId.trim() } : {}),
    };
    api.post<User>('/users', body).then(
      (u) => {
        setBusy(false);
        onCreated(u);
      },
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err.message : String(err));
      },
    );
  };

  return (
    <Modal
      opened
      closeButtonProps={{ 'aria-label': 'Close' }}
      onClose={onClose}
      title="Add a user"
      size="lg"
      closeOnClickOutside={!busy}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <TextInput
              label="Name"
              required
              value={f.name}
              onChange={(e) => {
                set('name')(e.currentTarget.value);
              }}
              error={errors.name}
              maxLength={200}
              data-autofocus
            />
            <TextInput
              label="Email"
              type="email"
              required
              value={f.email}
              onChange={(e) => {
                set('email')(e.currentTarget.value);
              }}
              error={errors.email}
              maxLength={320}
              description="They sign in with this address"
            />
          </SimpleGrid>
          <Select
            label="Role"
            required
            placeholder="Choose a role"
            data={ROLES.map((r) => ({ value: r, label: roleLabel(r) }))}
            value={f.role}
            onChange={(v) => {
              set('role')(v);
            }}
            error={errors.role}
            allowDeselect={false}
          />
          {f.role === 'patient' && (
            <TextInput
              label="Patient id"
              required
              description="The FHIR Patient id of this person's chart: the account sees the records written about this patient"
              placeholder="e.g. 5bee102e-16f8-4b5a-8d0c-fb4c17e4420a"
              value={f.patientId}
              onChange={(e) => {
                set('patientId')(e.currentTarget.value);
              }}
              error={errors.patientId}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            />
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <PasswordInput
              label="Initial password"
              required
              description={`At least ${String(MIN_PASSWORD)} characters; tell it to the person in private`}
              value={f.password}
              onChange={(e) => {
                set('password')(e.currentTarget.value);
              }}
              error={errors.password}
              autoComplete="new-password"
            />
            <PasswordInput
              label="Confirm password"
              required
              description="Type the same password again"
              value={f.confirm}
              onChange={(e) => {
                set('confirm')(e.currentTarget.value);
              }}
              error={errors.confirm}
              autoComplete="new-password"
            />
          </SimpleGrid>
          <ModalFooter
            error={error}
            errorTitle="The node did not enroll this user"
            onCancel={onClose}
            submitLabel="Add user"
            busy={busy}
          />
        </Stack>
      </form>
    </Modal>
  );
}
