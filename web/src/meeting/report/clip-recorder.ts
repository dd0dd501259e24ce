import { RoomEvent, Track, type RemoteTrack, type Room } from 'livekit-client';
import { clusterOffsets, cutClip } from './webm';

/** The API takes clips of at most 192 KiB (lambdas/domain/abuse-reports.ts). */
export const CLIP_MAX_BYTES = 192 * 1024;

export interface ClipRecorderOptions {
  /** How much to keep: the last 30 seconds. */
  readonly windowMs?: number;
  readonly timesliceMs?: number;
  readonly fps?: number;
  readonly width?: number;
  readonly height?: number;
  readonly videoBitsPerSecond?: number;
  readonly audioBitsPerSecond?: number;
  readonly maxBytes?: number;
}

interface Chunk {
  readonly at: number;
  readonly bytes: Uint8Array;
}

/**
 * A rolling, in-memory recording of what this participant receives — every
 * remote video drawn small into one picture, every remote voice mixed — of
 * which only the last 30 seconds are kept. Nothing leaves the browser unless
 * the participant reports someone and ticks consent to attach the clip.
 * Small and slow on purpose (320×180, a few frames a second, about 40 kbit/s)
 * so that it costs little and 30 seconds fit the API's limit.
 */
export class ClipRecorder {
  private readonly options: Required<ClipRecorderOptions>;
  private readonly canvas: HTMLCanvasElement;
  private readonly audio: AudioContext;
  private readonly mix: MediaStreamAudioDestinationNode;
  private readonly sources = new Map<string, MediaStreamAudioSourceNode>();
  private readonly videos = new Map<string, HTMLVideoElement>();
  private recorder: MediaRecorder | undefined;
  private draw: ReturnType<typeof setInterval> | undefined;
  private header: Uint8Array | undefined;
  private pending: Uint8Array = new Uint8Array(0);
  private chunks: Chunk[] = [];
  private room: Room | undefined;
  private writes: Promise<void> = Promise.resolve();

  constructor(options: ClipRecorderOptions = {}) {
    this.options = {
      windowMs: 30_000,
      timesliceMs: 1000,
      fps: 5,
      width: 320,
      height: 180,
      videoBitsPerSecond: 30_000,
      audioBitsPerSecond: 12_000,
      maxBytes: CLIP_MAX_BYTES,
      ...options,
    };
    this.canvas = document.createElement('canvas');
    this.canvas.width = this.options.width;
    this.canvas.height = this.options.height;
    this.audio = new AudioContext();
    this.mix = this.audio.createMediaStreamDestination();
  }

  /** Starts (or moves) the recording to a room: what its remote participants send from now on. */
  attach(room: Room): void {
    this.detachRoom();
    this.room = room;
    room.on(RoomEvent.TrackSubscribed, this.onSubscribed);
    room.on(RoomEvent.TrackUnsubscribed, this.onUnsubscribed);
    for (const participant of room.remoteParticipants.values()) {
      for (const publication of participant.trackPublications.values()) {
        if (publication.track) this.onSubscribed(publication.track as RemoteTrack);
      }
    }
    this.start();
  }

  private detachRoom(): void {
    if (!this.room) return;
    this.room.off(RoomEvent.TrackSubscribed, this.onSubscribed);
    this.room.off(RoomEvent.TrackUnsubscribed, this.onUnsubscribed);
    for (const sid of [...this.videos.keys(), ...this.sources.keys()]) this.remove(sid);
    this.room = undefined;
  }

  private readonly onSubscribed = (track: RemoteTrack) => {
    const sid = track.sid;
    if (!sid) return;
    const stream = new MediaStream([track.mediaStreamTrack]);
    if (track.kind === Track.Kind.Video) {
      const video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.srcObject = stream;
      void video.play().catch(() => undefined);
      this.videos.set(sid, video);
    } else if (track.kind === Track.Kind.Audio) {
      const source = this.audio.createMediaStreamSource(stream);
      source.connect(this.mix);
      this.sources.set(sid, source);
    }
  };

  private readonly onUnsubscribed = (track: RemoteTrack) => {
    if (track.sid) this.remove(track.sid);
  };

  private remove(sid: string): void {
    const video = this.videos.get(sid);
    if (video) {
      video.srcObject = null;
      this.videos.delete(sid);
    }
    this.sources.get(sid)?.disconnect();
    this.sources.delete(sid);
  }

  private paint(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const { width, height } = this.options;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, width, height);
    const videos = [...this.videos.values()];
    const columns = Math.ceil(Math.sqrt(videos.length)) || 1;
    const rows = Math.ceil(videos.length / columns) || 1;
    const w = width / columns;
    const h = height / rows;
    videos.forEach((video, i) => {
      if (video.readyState >= 2) ctx.drawImage(video, (i % columns) * w, Math.floor(i / columns) * h, w, h);
    });
  }

  private start(): void {
    if (this.recorder) return;
    void this.audio.resume().catch(() => undefined);
    this.paint();
    this.draw = setInterval(() => this.paint(), 1000 / this.options.fps);
    const stream = new MediaStream([
      ...this.canvas.captureStream(this.options.fps).getVideoTracks(),
      ...this.mix.stream.getAudioTracks(),
    ]);
    const recorder = new MediaRecorder(stream, {
      mimeType: 'video/webm;codecs=vp8,opus',
      videoBitsPerSecond: this.options.videoBitsPerSecond,
      audioBitsPerSecond: this.options.audioBitsPerSecond,
      // A key frame (so a new Cluster, where a clip may begin) every two seconds.
      videoKeyFrameIntervalDuration: 2000,
    } as MediaRecorderOptions);
    recorder.ondataavailable = (event) => {
      const at = Date.now();
      this.writes = this.writes.then(async () => this.add(at, new Uint8Array(await event.data.arrayBuffer())));
    };
    recorder.start(this.options.timesliceMs);
    this.recorder = recorder;
  }

  private add(at: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (!this.header) {
      // Everything before the first Cluster is the header every clip starts with.
      const joined = concat([this.pending, bytes]);
      const first = clusterOffsets(joined)[0];
      if (first === undefined) {
        this.pending = joined;
        return;
      }
      this.header = joined.slice(0, first);
      this.pending = new Uint8Array(0);
      bytes = joined.slice(first);
    }
    this.chunks.push({ at, bytes });
    // Keep a little more than the window, so that a Cluster begins at or before its start.
    const keepFrom = at - this.options.windowMs - 4000;
    while (this.chunks.length > 1 && this.chunks[1]!.at < keepFrom) this.chunks.shift();
  }

  /** Bytes held now (for the UI and tests: it stays bounded). */
  get bufferedBytes(): number {
    return this.chunks.reduce((n, c) => n + c.bytes.length, 0);
  }

  /** The last 30 seconds (or what fits the limit) as a playable WebM, or undefined when nothing was recorded yet. */
  async clip(): Promise<{ contentType: 'video/webm'; bytes: Uint8Array } | undefined> {
    if (this.recorder?.state === 'recording') {
      const flushed = new Promise<void>((done) => this.recorder?.addEventListener('dataavailable', () => done(), { once: true }));
      this.recorder.requestData();
      await Promise.race([flushed, new Promise((done) => setTimeout(done, 1500))]);
    }
    await this.writes;
    if (!this.header || this.chunks.length === 0) return undefined;
    const since = Date.now() - this.options.windowMs;
    const firstKept = this.chunks.findIndex((c) => c.at >= since);
    const body = concat(this.chunks.map((c) => c.bytes));
    // Begin at the Cluster starting in the chunk before the window's start (chunks arrive at its end).
    let fromOffset = 0;
    for (let i = 0; i < Math.max(0, firstKept - 1); i++) fromOffset += this.chunks[i]!.bytes.length;
    const bytes = cutClip(this.header, body, fromOffset, this.options.maxBytes);
    return bytes ? { contentType: 'video/webm', bytes } : undefined;
  }

  stop(): void {
    clearInterval(this.draw);
    if (this.recorder && this.recorder.state !== 'inactive') this.recorder.stop();
    this.recorder = undefined;
    this.detachRoom();
    this.chunks = [];
    this.header = undefined;
    void this.audio.close().catch(() => undefined);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
