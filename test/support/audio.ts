import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  type RemoteParticipant,
  type RemoteTrack,
  type Room,
} from '@livekit/rtc-node';

export const SAMPLE_RATE = 48_000;
const FRAME_SAMPLES = 480; // 10 ms
/** 100 ms windows hold a whole number of cycles of the test tones, so the Goertzel bin sits on the tone. */
const WINDOW_SAMPLES = 4_800;

/** Publishes a sine tone until stop() is called; captureFrame paces it in real time. */
export async function publishTone(room: Room, frequency: number, amplitude = 12_000): Promise<{ stop: () => Promise<void> }> {
  const source = new AudioSource(SAMPLE_RATE, 1);
  const track = LocalAudioTrack.createAudioTrack(`tone-${frequency}`, source);
  const options = new TrackPublishOptions();
  options.source = TrackSource.SOURCE_MICROPHONE;
  await room.localParticipant!.publishTrack(track, options);
  let running = true;
  let sample = 0;
  const loop = (async () => {
    while (running) {
      const frame = AudioFrame.create(SAMPLE_RATE, 1, FRAME_SAMPLES);
      for (let i = 0; i < FRAME_SAMPLES; i++, sample++) {
        frame.data[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * sample) / SAMPLE_RATE));
      }
      await source.captureFrame(frame);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop.catch(() => undefined);
      await source.close().catch(() => undefined);
    },
  };
}

/** Fraction of a window's energy that sits at `frequency` (Goertzel), and its RMS. */
export function toneStrength(samples: Int16Array, frequency: number, sampleRate = SAMPLE_RATE): { ratio: number; rms: number } {
  const n = samples.length;
  const coefficient = 2 * Math.cos((2 * Math.PI * Math.round((n * frequency) / sampleRate)) / n);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i]!;
    energy += x * x;
    const s0 = x + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  const rms = Math.sqrt(energy / n);
  return { ratio: energy === 0 ? 0 : power / ((n / 2) * energy), rms };
}

export interface ToneReport {
  /** 100 ms windows of audio received. */
  readonly windows: number;
  /** Windows in which the tone clearly stood out. */
  readonly toneWindows: number;
  readonly maxRms: number;
}

/**
 * Listens for `durationMs` to the first audio track of `from` (any remote
 * participant when omitted) and reports how much of it carried the tone.
 */
export async function listenForTone(room: Room, frequency: number, durationMs: number, from?: string): Promise<ToneReport> {
  const track = await firstAudioTrack(room, from, Math.max(durationMs, 10_000));
  if (!track) return { windows: 0, toneWindows: 0, maxRms: 0 };
  const stream = new AudioStream(track, { sampleRate: SAMPLE_RATE, numChannels: 1 });
  const reader = stream.getReader();
  const window = new Int16Array(WINDOW_SAMPLES);
  let filled = 0;
  let windows = 0;
  let toneWindows = 0;
  let maxRms = 0;
  const deadline = Date.now() + durationMs;
  try {
    while (Date.now() < deadline) {
      const next = await Promise.race([
        reader.read(),
        new Promise<'late'>((done) => setTimeout(() => done('late'), Math.max(1, deadline - Date.now()))),
      ]);
      if (next === 'late' || next.done) break;
      const data = next.value.data;
      for (let i = 0; i < data.length; i += next.value.channels) {
        window[filled++] = data[i]!;
        if (filled === WINDOW_SAMPLES) {
          const { ratio, rms } = toneStrength(window, frequency);
          windows++;
          maxRms = Math.max(maxRms, rms);
          if (rms > 300 && ratio > 0.5) toneWindows++;
          filled = 0;
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return { windows, toneWindows, maxRms };
}

async function firstAudioTrack(room: Room, from: string | undefined, timeoutMs: number): Promise<RemoteTrack | undefined> {
  const matches = (p: RemoteParticipant) => from === undefined || p.identity === from;
  for (const participant of room.remoteParticipants.values()) {
    if (!matches(participant)) continue;
    for (const publication of participant.trackPublications.values()) {
      if (publication.kind === TrackKind.KIND_AUDIO && publication.track) return publication.track;
    }
  }
  return new Promise((done) => {
    const timer = setTimeout(() => {
      room.off(RoomEvent.TrackSubscribed, onTrack);
      done(undefined);
    }, timeoutMs);
    const onTrack = (track: RemoteTrack, _publication: unknown, participant: RemoteParticipant) => {
      if (track.kind !== TrackKind.KIND_AUDIO || !matches(participant)) return;
      clearTimeout(timer);
      room.off(RoomEvent.TrackSubscribed, onTrack);
      done(track);
    };
    room.on(RoomEvent.TrackSubscribed, onTrack);
  });
}
