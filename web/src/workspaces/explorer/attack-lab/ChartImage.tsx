/**
 * @module
 * One of the attack lab's log-scale SVG charts, fetched with the user's token (an `<img src>` could
 * not send it) and shown from a blob URL.
 */
import { Image, Skeleton } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { request } from '../../../api.ts';

export function ChartImage({
  name,
  alt,
  version,
}: {
  name: string;
  alt: string;
  version: string;
}): ReactNode {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    let created: string | undefined;
    const ac = new AbortController();
    request<string>(`/api/v1/attack-lab/charts/${name}.svg`, { signal: ac.signal }).then(
      (svg) => {
        created = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
        setUrl(created);
      },
      () => undefined,
    );
    return () => {
      ac.abort();
      if (created) URL.revokeObjectURL(created);
    };
  }, [name, version]);
  if (!url) return <Skeleton h={260} />;
  return <Image src={url} alt={alt} fit="contain" mah={420} />;
}
