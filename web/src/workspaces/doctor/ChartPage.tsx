/**
 * @module
 * A patient's chart (`#/chart/<patient id>`): demographics, the current version of every record the
 * doctor may read in tabs, each record's history, forms to add a note, medication, vital sign or
 * condition and to amend notes and conditions. When the node refuses the read for want of consent,
 * the doctor may ask the patient for access or break the glass; an emergency chart keeps a red banner.
 */
import { Alert, Button, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, api } from '../../api.ts';
import { shortId } from '../../lib/fhir-display.ts';
import { navigate } from '../../lib/route.ts';
import type { RecordView } from '../../lib/fhir-display.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { useAsync } from '../../lib/use-async.ts';
import { usePaged } from '../../lib/use-paged.ts';
import { LoadMore } from '../common/LoadMore.tsx';
import type { PageProps } from '../page-props.ts';
import { AccessDenied } from './AccessDenied.tsx';
import { AddToChart, RecordForm } from './AddToChart.tsx';
import type { FormKind } from './AddToChart.tsx';
import { buildChart } from './chart-model.ts';
import type { ChartTab } from './chart-model.ts';
import { ChartTabs } from './ChartTabs.tsx';
import { EmergencyBanner } from './EmergencyBanner.tsx';
import { HistoryModal } from './HistoryModal.tsx';
import { PatientHeader } from './PatientHeader.tsx';
import { readQuery } from './read-mode.ts';
import type { ReadMode } from './read-mode.ts';

const TAB_OF_FORM: Record<FormKind, ChartTab> = {
  note: 'notes',
  medication: 'medications',
  observation: 'observations',
  condition: 'conditions',
};

function isDenied(e: Error | undefined): boolean {
  return e instanceof ApiError && e.status === 403 && e.code === 'ML_ERR_ACCESS_DENIED';
}

function BackLink(): ReactNode {
  return (
    <Button
      variant="subtle"
      size="compact-sm"
      onClick={() => {
        navigate('patients');
      }}
      style={{ alignSelf: 'flex-start' }}
    >
      ← All patients
    </Button>
  );
}

function ChartSkeleton(): ReactNode {
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading the chart">
      <Skeleton height={150} radius="md" />
      <Skeleton height={36} radius="md" />
      <Skeleton height={300} radius="md" />
    </Stack>
  );
}

function Chart({ patientId }: { patientId: string }): ReactNode {
  const [emergencyReason, setEmergencyReason] = useState<string | null>(null);
  const mode = useMemo<ReadMode>(() => ({ emergencyReason }), [emergencyReason]);
  const recs = usePaged<RecordView>(`/patients/${encodeURIComponent(patientId)}/records${readQuery(mode)}`, [
    patientId,
    mode,
  ]);
  const dir = useAsync((signal) => api.get<Directory>('/directory', signal), []).data;
  const chart = useMemo(
    () => (recs.data ? buildChart(recs.data, patientId) : undefined),
    [recs.data, patientId],
  );
  const [tab, setTab] = useState<ChartTab>('encounters');
  const [message, setMessage] = useState<string | null>(null);
  const [form, setForm] = useState<{ kind: FormKind; amend?: RecordView } | null>(null);
  const [history, setHistory] = useState<RecordView | null>(null);

  const banner = emergencyReason && (
    <EmergencyBanner
      reason={emergencyReason}
      onEnd={() => {
        setEmergencyReason(null);
        navigate('patients');
      }}
    />
  );
  const fallbackTitle = <Title order={2}>Patient {shortId(patientId)}</Title>;

  if (recs.error && !emergencyReason && isDenied(recs.error))
    return (
      <Stack gap="md">
        <BackLink />
        <Title order={2} title={patientId}>
          Chart of patient {shortId(patientId)}
        </Title>
        <AccessDenied patientId={patientId} message={recs.error.message} onBreakGlass={setEmergencyReason} />
      </Stack>
    );
  if (recs.error)
    return (
      <Stack gap="md">
        <BackLink />
        {banner}
        {fallbackTitle}
        <Alert color="red" role="alert" title="The chart could not be read">
          {recs.error.message}
        </Alert>
        <Button variant="default" onClick={recs.reload} style={{ alignSelf: 'flex-start' }}>
          Try again
        </Button>
      </Stack>
    );
  if (!chart)
    return (
      <Stack gap="md">
        <BackLink />
        {banner}
        <ChartSkeleton />
      </Stack>
    );
  if (recs.data?.length === 0)
    return (
      <Stack gap="md">
        <BackLink />
        {fallbackTitle}
        <Alert color="gray" title="No records for this patient ID">
          The node holds no records for patient <span title={patientId}>{shortId(patientId)}</span>. Check the
          ID, or search for the patient by name.
        </Alert>
      </Stack>
    );

  const saved = (msg: string, kind: FormKind): void => {
    setForm(null);
    setMessage(msg);
    setTab(TAB_OF_FORM[kind]);
    recs.reload();
  };
  const shown = recs.data?.length ?? 0;
  return (
    <Stack gap="md">
      <BackLink />
      {banner}
      {chart.patient ? <PatientHeader view={chart.patient} patientId={patientId} /> : fallbackTitle}
      {!chart.patient && !emergencyReason && (
        <AccessDenied patientId={patientId} partial={{ shown }} onBreakGlass={setEmergencyReason} />
      )}
      {message && (
        <Alert
          color="green"
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => {
            setMessage(null);
          }}
        >
          {message}
        </Alert>
      )}
      <AddToChart
        onOpen={(kind) => {
          setForm({ kind });
        }}
        busy={recs.loading}
      />
      <LoadMore list={recs} noun="records" />
      <ChartTabs
        chart={chart}
        dir={dir}
        tab={tab}
        onTab={setTab}
        onHistory={setHistory}
        onAmend={(v) => {
          setForm({ kind: v.resource.resourceType === 'Condition' ? 'condition' : 'note', amend: v });
        }}
      />
      {form && (
        <RecordForm
          kind={form.kind}
          patientId={patientId}
          birthDate={chart.patient?.resource.birthDate as string | undefined}
          amend={form.amend}
          onClose={() => {
            setForm(null);
          }}
          onSaved={(msg) => {
            saved(msg, form.kind);
          }}
        />
      )}
      {history && (
        <HistoryModal
          view={history}
          mode={mode}
          dir={dir}
          onClose={() => {
            setHistory(null);
          }}
        />
      )}
    </Stack>
  );
}

export function ChartPage({ params }: PageProps): ReactNode {
  const patientId = params[0];
  if (!patientId)
    return (
      <Stack gap="md">
        <Title order={2}>Patient chart</Title>
        <Text>No patient chosen.</Text>
        <Button
          onClick={() => {
            navigate('patients');
          }}
          style={{ alignSelf: 'flex-start' }}
        >
          Find a patient
        </Button>
      </Stack>
    );
  return <Chart key={patientId} patientId={patientId} />;
}
