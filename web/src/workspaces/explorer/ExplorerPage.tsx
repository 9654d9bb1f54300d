/**
 * @module
 * Chain explorer (`#/explorer`, admin and auditor): the latest blocks, one block
 * (`#/explorer/block/<height>`), one transaction (`#/explorer/tx/<id>`) and inclusion proofs verified
 * in the browser (`#/explorer/proof/<record id or tx id>`). The chain holds no PHI, so nothing here
 * is confidential; a search box jumps to a height, a transaction or a record's proof.
 */
import { Anchor, Breadcrumbs, Button, Card, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { navigate } from '../../lib/route.ts';
import { PageHeader } from '../common/PageHeader.tsx';
import type { PageProps } from '../page-props.ts';
import { BlockDetail } from './BlockDetail.tsx';
import { BlocksTable } from './BlocksTable.tsx';
import { routeOf } from './explorer-helpers.tsx';
import { ProofView } from './ProofView.tsx';
import { TxDetail } from './TxDetail.tsx';

function Search(): ReactNode {
  const [q, setQ] = useState('');
  const submit = (e: SubmitEvent): void => {
    e.preventDefault();
    const r = routeOf(q);
    if (r) navigate(...r);
  };
  return (
    <form onSubmit={submit} role="search">
      <Group gap="xs" wrap="nowrap">
        <TextInput
          aria-label="Search the chain"
          placeholder="Block height, transaction id or record id"
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
          }}
          w={{ base: 240, sm: 340 }}
        />
        <Button type="submit" variant="default">
          Search
        </Button>
      </Group>
    </form>
  );
}

function Crumbs({ here }: { here: string }): ReactNode {
  return (
    <Breadcrumbs mb="md">
      <Anchor href="#/explorer" size="sm">
        Chain explorer
      </Anchor>
      <Text size="sm">{here}</Text>
    </Breadcrumbs>
  );
}

function View({ params }: PageProps): ReactNode {
  const [kind, arg] = params;
  if (kind === 'block' && arg !== undefined && /^\d{1,15}$/.test(arg))
    return (
      <>
        <Crumbs here={`Block ${arg}`} />
        <BlockDetail height={Number(arg)} />
      </>
    );
  if (kind === 'tx' && arg !== undefined)
    return (
      <>
        <Crumbs here={`Transaction ${arg.slice(0, 8)}`} />
        <TxDetail id={arg} />
      </>
    );
  if (kind === 'proof')
    return (
      <>
        <Crumbs here="Inclusion proof" />
        <ProofView id={arg} />
      </>
    );
  return (
    <Stack gap="lg">
      <Card withBorder padding="md">
        <Group justify="space-between" gap="sm">
          <div>
            <Text fw={600}>Verify a record yourself</Text>
            <Text size="sm" c="dimmed">
              Get the inclusion proof of any record or transaction and check it in your browser against the
              node’s public key.
            </Text>
          </div>
          <Button component="a" href="#/explorer/proof" variant="light">
            Verify a proof
          </Button>
        </Group>
      </Card>
      <BlocksTable />
    </Stack>
  );
}

export function ExplorerPage({ params }: PageProps): ReactNode {
  return (
    <>
      <PageHeader
        title="Chain explorer"
        description="Blocks and transactions as stored on the chain: hashes, signatures, key ids and blind indexes only — never patient data."
        actions={<Search />}
      />
      <View params={params} />
    </>
  );
}
