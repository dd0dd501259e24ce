/**
 * Just enough WebM to cut a recording: MediaRecorder writes one header (EBML,
 * Segment, Info, Tracks) and then Clusters of SimpleBlocks. A playable clip of
 * the last seconds is the header followed by the Clusters from one whose first
 * video block is a key frame, with the Clusters' timecodes moved so that the
 * clip starts at zero (a player waits forever for a stream that begins late).
 */
const CLUSTER_ID = [0x1f, 0x43, 0xb6, 0x75] as const;
const TIMECODE_ID = 0xe7;
const SIMPLE_BLOCK_ID = 0xa3;
const BLOCK_GROUP_ID = 0xa0;
const BLOCK_ID = 0xa1;
const REFERENCE_BLOCK_ID = 0xfb;

/** Length of an EBML variable-size integer from its first byte (1–8), or 0 if invalid. */
function vintLength(first: number): number {
  for (let i = 0; i < 8; i++) if (first & (0x80 >> i)) return i + 1;
  return 0;
}

/** An EBML size at `at`: its length in bytes and its value (undefined when "unknown"). */
function readSize(bytes: Uint8Array, at: number): { length: number; value: number | undefined } {
  const length = vintLength(bytes[at] ?? 0);
  if (length === 0) return { length: 0, value: undefined };
  let value = (bytes[at]! & (0xff >> length)) as number;
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + (bytes[at + i] ?? 0);
    if (bytes[at + i] !== 0xff) allOnes = false;
  }
  return { length, value: allOnes ? undefined : value };
}

/**
 * Whether a Cluster element starts at `at`: its id, a valid size, then its
 * Timecode element, so that the same four bytes inside frame data do not pass.
 */
export function isClusterAt(bytes: Uint8Array, at: number): boolean {
  if (at + 6 > bytes.length) return false;
  for (let i = 0; i < 4; i++) if (bytes[at + i] !== CLUSTER_ID[i]) return false;
  const sizeLength = vintLength(bytes[at + 4]!);
  if (sizeLength === 0) return false;
  return bytes[at + 4 + sizeLength] === TIMECODE_ID;
}

/** Offsets of every Cluster in `bytes`, from `from` on. */
export function clusterOffsets(bytes: Uint8Array, from = 0): number[] {
  const out: number[] = [];
  for (let i = from; i + 6 <= bytes.length; i++) {
    if (bytes[i] === 0x1f && isClusterAt(bytes, i)) out.push(i);
  }
  return out;
}

interface ClusterInfo {
  readonly offset: number;
  /** Where its Timecode value is, and how many bytes it has. */
  readonly timecodeAt: number;
  readonly timecodeBytes: number;
  /** Track number and key flag of each block (SimpleBlock or BlockGroup), in order. */
  readonly blocks: readonly { readonly track: number; readonly key: boolean }[];
}

/** The Clusters of a recording body and the SimpleBlocks in each (a Cluster of unknown size ends where the next begins). */
export function clusters(body: Uint8Array): ClusterInfo[] {
  const offsets = clusterOffsets(body);
  return offsets.map((offset, n) => {
    const end = offsets[n + 1] ?? body.length;
    const size = readSize(body, offset + 4);
    let at = offset + 4 + size.length;
    const stop = size.value === undefined ? end : Math.min(end, at + size.value);
    let timecodeAt = -1;
    let timecodeBytes = 0;
    const blocks: { track: number; key: boolean }[] = [];
    while (at < stop) {
      const idLength = vintLength(body[at]!);
      if (idLength === 0 || idLength > 4) break;
      const id = body.subarray(at, at + idLength);
      const elementSize = readSize(body, at + idLength);
      if (elementSize.length === 0 || elementSize.value === undefined) break;
      const data = at + idLength + elementSize.length;
      if (idLength === 1 && id[0] === TIMECODE_ID) {
        timecodeAt = data;
        timecodeBytes = elementSize.value;
      } else if (idLength === 1 && id[0] === SIMPLE_BLOCK_ID) {
        const track = readSize(body, data);
        if (track.length > 0 && track.value !== undefined) {
          blocks.push({ track: track.value, key: ((body[data + track.length + 2] ?? 0) & 0x80) !== 0 });
        }
      } else if (idLength === 1 && id[0] === BLOCK_GROUP_ID) {
        // Chrome writes video frames as BlockGroups: a Block, and a ReferenceBlock unless it is a key frame.
        let track: number | undefined;
        let referenced = false;
        for (let child = data; child < data + elementSize.value; ) {
          const childSize = readSize(body, child + 1);
          if (childSize.length === 0 || childSize.value === undefined) break;
          const childData = child + 1 + childSize.length;
          if (body[child] === BLOCK_ID) track = readSize(body, childData).value;
          if (body[child] === REFERENCE_BLOCK_ID) referenced = true;
          child = childData + childSize.value;
        }
        if (track !== undefined) blocks.push({ track, key: !referenced });
      }
      at = data + elementSize.value;
    }
    return { offset, timecodeAt, timecodeBytes, blocks };
  });
}

/**
 * A playable WebM from a header and the recorded bytes after it: the header,
 * then the Clusters from the first one at or after `fromOffset` that begins
 * with a key frame (dropping earlier ones until the whole fits in `maxBytes`),
 * their timecodes moved to start at zero. Undefined when no Cluster fits.
 */
export function cutClip(header: Uint8Array, body: Uint8Array, fromOffset: number, maxBytes: number): Uint8Array | undefined {
  const all = clusters(body);
  // The video track is the one with frames that are not key frames (every audio frame is one).
  const videoTracks = new Set(all.flatMap((c) => c.blocks.filter((b) => !b.key).map((b) => b.track)));
  const startsWithKey = (c: ClusterInfo) => {
    const firstVideo = c.blocks.find((b) => videoTracks.has(b.track));
    return firstVideo === undefined ? videoTracks.size === 0 : firstVideo.key;
  };
  const start = all.find(
    (c) => c.offset >= fromOffset && c.timecodeAt > 0 && startsWithKey(c) && header.length + (body.length - c.offset) <= maxBytes,
  );
  if (!start) return undefined;
  const out = new Uint8Array(header.length + body.length - start.offset);
  out.set(header, 0);
  out.set(body.subarray(start.offset), header.length);
  const shift = header.length - start.offset;
  const readTimecode = (c: ClusterInfo) => {
    let v = 0;
    for (let i = 0; i < c.timecodeBytes; i++) v = v * 256 + body[c.timecodeAt + i]!;
    return v;
  };
  const base = readTimecode(start);
  for (const c of all) {
    if (c.offset < start.offset || c.timecodeAt < 0) continue;
    let v = Math.max(0, readTimecode(c) - base);
    for (let i = c.timecodeBytes - 1; i >= 0; i--) {
      out[c.timecodeAt + shift + i] = v % 256;
      v = Math.floor(v / 256);
    }
  }
  return out;
}
