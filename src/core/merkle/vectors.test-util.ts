/**
 * @module
 * Test-only published vectors. The 8-leaf tree, its roots and proofs are the Certificate
 * Transparency / transparency-dev/merkle reference vectors (proof/verify_test.go; the Go file
 * numbers inclusion leaves from 1, here indexes are 0-based). The hasher vectors are from
 * transparency-dev/merkle rfc6962/rfc6962_test.go. Every value is also recomputed by the naive
 * reference in the tests.
 */

/**
 * Leaf data (hex). Leaf hash = SHA-256(0x00 ‖ data): leaf 0 `echo -n 00 | xxd -r -p | sha256sum`
 * → 6e340b…a01d, leaf 1 `echo -n 0000 | xxd -r -p | sha256sum` → 96a296…cfc7.
 */
export const LEAVES_HEX = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
] as const;

/**
 * ROOTS_HEX[n - 1] = MTH of the first n leaves. n = 1 is leaf hash 0; n = 2 is
 * `echo -n 01 6e340b…a01d 96a296…cfc7 | tr -d ' ' | xxd -r -p | sha256sum`
 * (the two leaf hashes are ROOTS_HEX[0] and INCLUSION_VECTORS[1].proof[0] in full).
 */
export const ROOTS_HEX = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
] as const;

export interface InclusionVector {
  index: number;
  size: number;
  proof: readonly string[];
}

export const INCLUSION_VECTORS: readonly InclusionVector[] = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

export interface ConsistencyVector {
  size1: number;
  size2: number;
  proof: readonly string[];
}

export const CONSISTENCY_VECTORS: readonly ConsistencyVector[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

/** SHA-256(""): `echo -n | sha256sum`. */
export const EMPTY_ROOT_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Leaf hash of "L123456": `echo -n 004C313233343536 | xxd -r -p | sha256sum`. */
export const LEAF_L123456_HEX = '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56';

/** Node hash of children "N123", "N456": `echo -n 014E3132334E343536 | xxd -r -p | sha256sum`. */
export const NODE_N123_N456_HEX = 'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb';
