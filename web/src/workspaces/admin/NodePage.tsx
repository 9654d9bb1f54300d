/**
 * @module
 * Node & integrity (`#/node`, admin and auditor): the integrity monitor with "Verify now", this node's
 * identity (organization, chain id, key id and public key to verify proofs with), and the chain head.
 */
import { Anchor, Card, DataList, SimpleGrid, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import type { BlockJson, NodeInfo } from '../../../../src/api/contract/chain.ts';
import { useAsync } from '../../lib/use-async.ts';
import { CopyId, fmtTime, Hex, ShortId } from '../common/format.tsx';
import { PageHeader } from '../common/PageHeader.tsx';
import { LoadError, LoadingRows } from '../common/states.tsx';
import type { PageProps } from '../page-props.ts';
import { IntegrityCard } from './IntegrityCard.tsx';

function Row({ label, children }: { label: string; children: ReactNode }): ReactNode {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

function NodeCard(): ReactNode {
  const { data, error, reload } = useAsync((s) => api.get<NodeInfo>('/node', s), []);
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="sm">
        This node
      </Title>
      {error && <LoadError error={error} retry={reload} />}
      {!data && !error && <LoadingRows rows={5} />}
      {data && (
        <DataList size="sm" labelWidth={130}>
          <Row label="Organization">{data.org}</Row>
          <Row label="Hosts">{data.hostedOrgs.join(', ')}</Row>
          <Row label="Chain id">{data.chainId}</Row>
          <Row label="Key id">
            <ShortId id={data.keyId} n={16} copy />
          </Row>
          <Row label="Public key">
            <Hex value={data.publicKey} /> <CopyId value={data.publicKey} />
          </Row>
          <Row label="Min. difficulty">{`${String(data.minDifficulty)} bits`}</Row>
          <Row label="Height">{String(data.height)}</Row>
          <Row label="Log size">{`${String(data.logSize)} transactions`}</Row>
        </DataList>
      )}
    </Card>
  );
}

function HeadCard(): ReactNode {
  const { data, error, reload } = useAsync((s) => api.get<BlockJson>('/chain/head', s), []);
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="sm">
        Chain head
      </Title>
      {error && <LoadError error={error} retry={reload} />}
      {!data && !error && <LoadingRows rows={5} />}
      {data && (
        <DataList size="sm" labelWidth={130}>
          <Row label="Height">
            <Anchor href={`#/explorer/block/${String(data.height)}`}>Block {String(data.height)}</Anchor>
          </Row>
          <Row label="Hash">
            <ShortId id={data.hash} n={16} copy />
          </Row>
          <Row label="Time">{fmtTime(data.header.time)}</Row>
          <Row label="Transactions">{String(data.header.txCount)}</Row>
          <Row label="Proof-of-work">{`difficulty ${String(data.header.difficulty)}, nonce ${String(data.header.nonce)}`}</Row>
          <Row label="Log root">
            <ShortId id={data.header.logRoot} n={16} copy />
          </Row>
          <Row label="Log size">{String(data.header.logSize)}</Row>
          <Row label="Signature">
            <ShortId id={data.signature} n={16} />
          </Row>
        </DataList>
      )}
    </Card>
  );
}

export function NodePage(_props: PageProps): ReactNode {
  return (
    <>
      <PageHeader
        title="Node & integrity"
        description="Is the stored chain intact? The node verifies itself continuously; anyone with its public key can verify its proofs independently."
      />
      <Stack gap="lg">
        <IntegrityCard />
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <NodeCard />
          <HeadCard />
        </SimpleGrid>
      </Stack>
    </>
  );
}
