/**
 * Just enough WebM to cut a recording: MediaRecorder writes one header (EBML,
 * Segment, Info, Tracks) and then Clusters, each starting at a key frame. A
 * playable clip of the last seconds is the header followed by the Clusters
 * from some Cluster on.
 */
const CLUSTER_ID = [0x1f, 0x43, 0xb6, 0x75] as const;
const TIMECODE_ID = 0xe7;

/** Length of an EBML variable-size integer from its first byte (1–8), or 0 if invalid. */
function vintLength(first: number): number {
  for (let i = 0; i < 8; i++) if (first & (0x80 >> i)) return i + 1;
  return 0;
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

/**
 * A playable WebM from a header and the recorded bytes after it: the header,
 * then the Clusters from the first one at or after `fromOffset`, dropping
 * earlier Clusters until the whole fits in `maxBytes`. Undefined when no
 * Cluster fits.
 */
export function cutClip(header: Uint8Array, body: Uint8Array, fromOffset: number, maxBytes: number): Uint8Array | undefined {
  const starts = clusterOffsets(body).filter((o) => o >= fromOffset);
  const start = starts.find((o) => header.length + (body.length - o) <= maxBytes);
  if (start === undefined) return undefined;
  const out = new Uint8Array(header.length + body.length - start);
  out.set(header, 0);
  out.set(body.subarray(start), header.length);
  return out;
}
