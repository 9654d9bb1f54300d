/**
 * @module
 * Test-only HPKE (RFC 9180) known-answer vectors, as data (hex).
 *
 * Provenance, stated plainly:
 * - KEM_VECTORS are printed in RFC 9180 Appendix A.1.1 and A.2.1 (DHKEM(X25519, HKDF-SHA256) with
 *   AES-128-GCM and ChaCha20-Poly1305). DeriveKeyPair, Encap and Decap depend on the KEM alone, so
 *   they hold for our suite too; the key schedule does not (suite_id includes the AEAD id).
 * - SUITE_VECTOR is the entry mode 0, kem_id 32, kdf_id 1, aead_id 2 of test-vectors.json in
 *   github.com/cfrg/draft-irtf-cfrg-hpke, the machine-readable companion of RFC 9180 (the RFC's
 *   appendix does not print this AEAD with X25519). The file itself was not reachable from here;
 *   the values are those quoted from it, identically, by several independent public code bases,
 *   and ikmE, ikmR, skRm, pkRm and enc also match Go's src/crypto/hpke/testdata/rfc9180.json.
 *   Only encryption 0 and three exports were available; later sequence numbers are covered by
 *   GO_ACCUMULATED.
 * - GO_ACCUMULATED is the same entry in Go's rfc9180.json, where the 257 encryptions and exports are
 *   replaced by digests over 1,000 of each (Go's TestVectors, src/crypto/hpke/hpke_test.go): a
 *   SHAKE128 stream with no input is read as (1-byte length n, n bytes) draws; encryption i seals
 *   plaintext draw 2i+1 under aad draw 2i; export l (0 ≤ l < 1000) uses exporter_context draw l and
 *   length l; each digest is the first 16 bytes of SHAKE128 over all outputs in order. These digests
 *   were computed by Go's implementation, not by the RFC authors.
 */

/** Shared by every vector: info = "Ode on a Grecian Urn", pt = "Beauty is truth, truth beauty". */
export const INFO = '4f6465206f6e2061204772656369616e2055726e';
export const PT = '4265617574792069732074727574682c20747275746820626561757479';

export interface KemVector {
  readonly name: string;
  readonly ikmE: string;
  readonly skEm: string;
  readonly pkEm: string;
  readonly ikmR: string;
  readonly skRm: string;
  readonly pkRm: string;
  readonly enc: string;
  readonly sharedSecret: string;
}

export const KEM_VECTORS: readonly KemVector[] = [
  {
    name: 'RFC 9180 A.1.1',
    ikmE: '7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234',
    skEm: '52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736',
    pkEm: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
    ikmR: '6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037',
    skRm: '4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8',
    pkRm: '3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d',
    enc: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
    sharedSecret: 'fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc',
  },
  {
    name: 'RFC 9180 A.2.1',
    ikmE: '909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b',
    skEm: 'f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600',
    pkEm: '1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a',
    ikmR: '1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df',
    skRm: '8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb',
    pkRm: '4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a',
    enc: '1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a',
    sharedSecret: '0bbe78490412b4bbea4812666f7916932b828bba79942424abb65244930d69a7',
  },
];

export interface SuiteVector extends KemVector {
  readonly keyScheduleContext: string;
  readonly secret: string;
  readonly key: string;
  readonly baseNonce: string;
  readonly exporterSecret: string;
  readonly encryptions: readonly { seq: number; aad: string; nonce: string; ct: string }[];
  readonly exports: readonly { exporterContext: string; length: number; value: string }[];
}

/** test-vectors.json: mode 0, kem_id 32, kdf_id 1, aead_id 2 (see the module comment). */
export const SUITE_VECTOR: SuiteVector = {
  name: 'test-vectors.json mode 0, kem 0x0020, kdf 0x0001, aead 0x0002',
  ikmE: '2cd7c601cefb3d42a62b04b7a9041494c06c7843818e0ce28a8f704ae7ab20f9',
  skEm: '179d4b53b6365c45b600c4163b61d95cbc2f4d9e36f1695558dce265ab8bab11',
  pkEm: '6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256',
  ikmR: 'dac33b0e9db1b59dbbea58d59a14e7b5896e9bdf98fad6891e99d1686492b9ee',
  skRm: '497b4502664cfea5d5af0b39934dac72242a74f8480451e1aee7d6a53320333d',
  pkRm: '430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c',
  enc: '6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256',
  sharedSecret: '3101c54c3a4f87439eaac080699ed9bbcc726ffe44e860c0424ccb7e3e2ead7b',
  keyScheduleContext:
    '004ce5472ecdd5093ba0aecb8f871ff13f1fbc90ee76f0e18ace1a1b7e565bafa306f6ef962c9ee7cea40407b5d60f0f26990472faae3ac44c78366f1cac1ecde1',
  secret: '2058ac9b02c1f52c1aaf08bedbec9198219751a94ef67b7d5f0c8b6e2b54ebfb',
  key: 'f50b0609186798729ed0564b36ef2ef8044f1f9d05636874d1f46c819c7a669f',
  baseNonce: '151d9929e2449747889bc923',
  exporterSecret: '86017151bbff6a1940e8abae2ac9e0e7032e33df1eaaecc02ca6259b130d62df',
  encryptions: [
    {
      seq: 0,
      aad: '436f756e742d30', // "Count-0"
      nonce: '151d9929e2449747889bc923',
      ct: 'e5d84cd531cfb583096e7cfa9641bd3079cf3a91cda813c52deb5f512be9931980a41de125a925cdad859d5b7a',
    },
  ],
  exports: [
    {
      exporterContext: '',
      length: 32,
      value: 'ded6cffafaea6b812cbf3e241e88332adbc077aca81512914213810ee291770a',
    },
    {
      exporterContext: '00',
      length: 32,
      value: '04d3cb6cc116b28ffd22ad5bc276c60d31fec71ceb87ae24db811c64b7507339',
    },
    {
      exporterContext: '54657374436f6e74657874', // "TestContext"
      length: 32,
      value: '7c5ded445732c14fe09727d29b4251c0fd38455fe8440571e687f0886aac94d2',
    },
  ],
};

/** Go's rfc9180.json, same entry: accumulated digests of 1,000 encryptions and 1,000 exports. */
export const GO_ACCUMULATED = {
  count: 1000,
  encryptions: '1702e73e1e71705faa8241022af1deea',
  exports: '5cb678bf1c52afbd9afb58b8f7c1ced3',
} as const;
