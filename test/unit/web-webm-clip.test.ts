import { clusterOffsets, clusters, cutClip, isClusterAt } from '../../web/src/meeting/report/webm.js';

/** A Cluster element: its id, an 8-byte "unknown" size, its Timecode (2 bytes), then its children. */
const cluster = (timecode: number, children: number[]) => [
  ...[0x1f, 0x43, 0xb6, 0x75, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  ...[0xe7, 0x82, timecode >> 8, timecode & 0xff],
  ...children,
];
/** An audio frame (track 1) as a SimpleBlock: always a key frame. */
const audio = [0xa3, 0x85, 0x81, 0x00, 0x00, 0x80, 0x42];
/** A video frame (track 2) as a BlockGroup: a Block, and a ReferenceBlock when it is not a key frame. */
const video = (key: boolean) =>
  key ? [0xa0, 0x86, 0xa1, 0x84, 0x82, 0x00, 0x00, 0x00] : [0xa0, 0x89, 0xa1, 0x84, 0x82, 0x00, 0x00, 0x00, 0xfb, 0x81, 0xfe];

describe('cutting the last seconds out of a WebM recording', () => {
  const header = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3]);
  const first = cluster(0, [...audio, ...video(true), ...video(false)]);
  const second = cluster(1000, [...audio, ...video(false)]); // continues a picture: no clip may start here
  const third = cluster(2000, [...audio, ...video(true)]);
  const body = new Uint8Array([...first, ...second, ...third]);
  const [a, b, c] = [0, first.length, first.length + second.length];

  it('finds the Clusters and which begin their video with a key frame', () => {
    expect(clusterOffsets(body)).toEqual([a, b, c]);
    // The cluster id inside frame data (not followed by a Timecode) is not a Cluster.
    expect(isClusterAt(new Uint8Array([0x1f, 0x43, 0xb6, 0x75, 0x81, 0x00]), 0)).toBe(false);
    expect(clusters(body).map((x) => x.blocks.map((blk) => `${blk.track}${blk.key ? 'K' : 'd'}`).join(','))).toEqual([
      '1K,2K,2d',
      '1K,2d',
      '1K,2K',
    ]);
  });

  it('starts at the first key-frame Cluster at or after the cut, with its timecodes moved to zero', () => {
    const clip = cutClip(header, body, 1, 1000)!;
    expect([...clip.subarray(0, header.length)]).toEqual([...header]);
    expect(clip.length).toBe(header.length + third.length);
    const rest = clip.subarray(header.length);
    expect([...rest.subarray(12, 16)]).toEqual([0xe7, 0x82, 0, 0]);
    expect([...rest.subarray(16)]).toEqual([...body.subarray(c + 16)]);
    // From the start, the later Cluster's timecode is kept relative to the first.
    const whole = cutClip(header, body, 0, 1000)!;
    expect([...whole.subarray(header.length + b + 12, header.length + b + 16)]).toEqual([0xe7, 0x82, 0x03, 0xe8]);
  });

  it('drops older Clusters until the clip fits the limit, and gives up when none fits', () => {
    expect(cutClip(header, body, 0, header.length + third.length)!.length).toBe(header.length + third.length);
    expect(cutClip(header, body, 0, header.length + 5)).toBeUndefined();
  });
});
