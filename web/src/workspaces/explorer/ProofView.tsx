/**
 * @module
 * An inclusion proof (`#/explorer/proof/<record id or tx id>`): fetched from
 * `/records/:id/proof` or `/chain/txs/:id/proof`, summarised, drawn as a Merkle path, and verified in
 * the browser against a public key the user can check or replace — by default this node's key from
 * `/node`. A proof verifies only under the key that signed its head.
 */
import {
  Alert,
  Anchor,
  Button,
  Card,
  DataList,
  Grid,
  Group,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { api } from '../../api.ts';
import { navigate } from '../../lib/route.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { BlockJson, ProofJson } from '../../../../src/api/contract/chain.ts';
import { verifyProof } from '../../lib/verify/verify-proof.ts';
import type { ProofReport } from '../../lib/verify/verify-proof.ts';
import { fmtTime, ShortId } from '../common/format.tsx';
import { LoadError, LoadingRows } from '../common/states.tsx';
import { CheckList } from './CheckList.tsx';
import { isTxId, TxTypeBadge, useNodeInfo } from './explorer-helpers.tsx';
import { MerklePath } from './MerklePath.tsx';

interface Loaded {
  readonly proof: ProofJson;
  readonly blockTxIds: readonly string[];
  readonly type: string;
}

async function load(id: string, signal: AbortSignal): Promise<Loaded> {
  const proof = await api.get<ProofJson>(
    isTxId(id) ? `/chain/txs/${id}/proof` : `/records/${encodeURIComponent(id)}/proof`,
    signal,
  );
  const block = await api.get<BlockJson>(`/chain/blocks/${String(proof.block.height)}`, signal);
  const type = block.txs.find((t) => t.id === proof.txId)?.type ?? 'unknown';
  return { proof, blockTxIds: block.txs.map((t) => t.id), type };
}

function ProofForm({ initial }: { initial: string }): ReactNode {
  const [q, setQ] = useState(initial);
  const [err, setErr] = useState<string | null>(null);
  const submit = (e: SubmitEvent): void => {
    e.preventDefault();
    const v = q.trim();
    if (!v) {
      setErr('Enter a record id or a 64-character transaction id');
      return;
    }
    setErr(null);
    navigate('explorer', 'proof', isTxId(v.toLowerCase()) ? v.toLowerCase() : v);
  };
  return (
    <form onSubmit={submit} noValidate>
      <Group align="flex-end" gap="sm">
        <TextInput
          label="Record id or transaction id"
          placeholder="e.g. 9b4f4f0d-3d6a-47c1-bdde-98043d23e60b"
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
          }}
          error={err}
          style={{ flex: '1 1 320px' }}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <Button type="submit">Get proof</Button>
      </Group>
    </form>
  );
}

export function ProofView({ id }: { id: string | undefined }): ReactNode {
  return (
    <Stack gap="lg">
      <Card withBorder padding="md">
        <Title order={3} mb={4}>
          Inclusion proof
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          Proves that a transaction is in the log the node has signed, without trusting the node: your browser
          recomputes every hash and checks the signature itself (RFC 9162 §2.1.3).
        </Text>
        <ProofForm key={id} initial={id ?? ''} />
      </Card>
      {id && <LoadedProof key={id} id={id} />}
    </Stack>
  );
}

function LoadedProof({ id }: { id: string }): ReactNode {
  const { data, error, reload } = useAsync((s) => load(id, s), [id]);
  const node = useNodeInfo();
  const [keyInput, setKeyInput] = useState<string | null>(null);
  const [report, setReport] = useState<ProofReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [runError, setRunError] = useState<string | null>(null);
  const key = keyInput ?? node.data?.publicKey ?? '';

  if (error) return <LoadError error={error} retry={reload} title="No proof for this id" />;
  if (!data) return <LoadingRows rows={6} />;
  const { proof } = data;

  const verify = (): void => {
    setBusy(true);
    setRunError(null);
    verifyProof(proof, key.trim().toLowerCase(), {
      ...(isTxId(id) ? {} : { recordId: id }),
      blockTxIds: data.blockTxIds,
    }).then(
      (r) => {
        setBusy(false);
        setReport(r);
      },
      (e: unknown) => {
        setBusy(false);
        setRunError(e instanceof Error ? e.message : String(e));
      },
    );
  };

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, lg: 6 }}>
        <Stack gap="lg">
          <Card withBorder padding="md">
            <Group gap="sm" mb="sm">
              <Title order={4}>What is proven</Title>
              <TxTypeBadge type={data.type} />
            </Group>
            <DataList size="sm" labelWidth={110}>
              <DataList.Item>
                <DataList.ItemLabel>Transaction</DataList.ItemLabel>
                <DataList.ItemValue>
                  <Anchor href={`#/explorer/tx/${proof.txId}`} size="sm">
                    <ShortId id={proof.txId} n={16} />
                  </Anchor>
                </DataList.ItemValue>
              </DataList.Item>
              {!isTxId(id) && (
                <DataList.Item>
                  <DataList.ItemLabel>Record</DataList.ItemLabel>
                  <DataList.ItemValue>
                    <ShortId id={id} n={36} />
                  </DataList.ItemValue>
                </DataList.Item>
              )}
              <DataList.Item>
                <DataList.ItemLabel>In block</DataList.ItemLabel>
                <DataList.ItemValue>
                  <Anchor href={`#/explorer/block/${String(proof.block.height)}`} size="sm">
                    Block {String(proof.block.height)}
                  </Anchor>{' '}
                  · {fmtTime(proof.block.header.time)}
                </DataList.ItemValue>
              </DataList.Item>
              <DataList.Item>
                <DataList.ItemLabel>Log entry</DataList.ItemLabel>
                <DataList.ItemValue>
                  {String(proof.leafIndex)} of {String(proof.treeSize)}
                </DataList.ItemValue>
              </DataList.Item>
              <DataList.Item>
                <DataList.ItemLabel>Signed head</DataList.ItemLabel>
                <DataList.ItemValue>
                  Block {String(proof.head.header.height)}, log root{' '}
                  <ShortId id={proof.head.header.logRoot} n={12} />
                </DataList.ItemValue>
              </DataList.Item>
            </DataList>
          </Card>
          <Card withBorder padding="md">
            <Title order={4} mb={4}>
              Merkle path ({String(proof.proof.length)} hashes)
            </Title>
            <Text size="xs" c="dimmed" mb="md">
              From the leaf up to the root; levels count from the leaves. A skipped level is where our node
              had no sibling (the right edge of the tree) and moved up unchanged.
            </Text>
            <MerklePath proof={proof} report={report} />
          </Card>
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 6 }}>
        <Card withBorder padding="md">
          <Title order={4} mb="sm">
            Verify in my browser
          </Title>
          <Stack gap="md">
            <TextInput
              label="Trusted node public key (Ed25519, hex)"
              description="This node's key from /api/v1/node. Compare it with the key your consortium published, or paste another key to see the proof fail."
              value={key}
              onChange={(e) => {
                setKeyInput(e.currentTarget.value);
                setReport(null);
              }}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
            />
            {node.error && (
              <LoadError error={node.error} retry={node.reload} title="Could not load the node key" />
            )}
            <Group>
              <Button onClick={verify} loading={busy} disabled={!key.trim()}>
                Verify in my browser
              </Button>
            </Group>
            {runError && (
              <Alert color="red" role="alert" title="Verification could not run">
                {runError}
              </Alert>
            )}
            {report && (
              <CheckList
                checks={report.checks}
                okTitle="Proof verified: this transaction is in the signed log"
              />
            )}
          </Stack>
        </Card>
      </Grid.Col>
    </Grid>
  );
}
