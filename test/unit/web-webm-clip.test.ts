import { clusterOffsets, cutClip, isClusterAt } from '../../web/src/meeting/report/webm.js';

/** A Cluster element header: its id, an 8-byte "unknown" size, and the start of its Timecode element. */
const cluster = (payload: number[]) => [
  0x1f,
  0x43,
  0xb6,
  0x75,
  0x01,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xe7,
  0x81,
  0x00,
  ...payload,
];

describe('cutting the last seconds out of a WebM recording', () => {
  const header = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3]);
  // The cluster id inside frame data (not followed by a Timecode) must not count as a cluster.
  const body = new Uint8Array([
    ...cluster([1, 1, 1, 0x1f, 0x43, 0xb6, 0x75, 0x81, 0x00]),
    ...cluster([2, 2, 2]),
    ...cluster([3, 3, 3]),
  ]);

  it('finds only real Cluster elements', () => {
    expect(clusterOffsets(body)).toEqual([0, 24, 42]);
    expect(isClusterAt(body, 18)).toBe(false);
  });

  it('keeps the header and whole clusters from the first one at or after the cut', () => {
    const clip = cutClip(header, body, 1, 1000)!;
    expect([...clip.subarray(0, header.length)]).toEqual([...header]);
    expect([...clip.subarray(header.length)]).toEqual([...body.subarray(24)]);
  });

  it('drops older clusters until the clip fits the limit, and gives up when none fits', () => {
    const clip = cutClip(header, body, 0, header.length + 18)!;
    expect([...clip.subarray(header.length)]).toEqual([...body.subarray(42)]);
    expect(cutClip(header, body, 0, header.length + 5)).toBeUndefined();
  });
});
