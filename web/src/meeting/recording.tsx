import {
  RoomEvent,
  Track,
  type LocalTrackPublication,
  type Participant,
  type RemoteTrack,
  type Room,
  type TrackPublication,
} from 'livekit-client';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { saveBlob } from '../pages/download';
import { participantName } from './names';
import type { RoomContextValue } from './room-context';
import { decodeJson, encodeJson, RECORDING_TOPIC } from './topics';

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 15;
/** How often a recording host says so again, and how long a silent one is still believed. */
const REANNOUNCE_MS = 5_000;
const BELIEVED_MS = 15_000;

/**
 * A recording made in the host's browser: the room's videos as the grid shows
 * them, drawn onto a canvas, and every participant's audio mixed with
 * WebAudio, encoded by MediaRecorder as WebM. Nothing leaves the device: the
 * file is saved there when the recording stops.
 */
class LocalRecording {
  private readonly chunks: Blob[] = [];
  private readonly recorder: MediaRecorder;
  private readonly audio = new AudioContext();
  private readonly mix = this.audio.createMediaStreamDestination();
  private readonly sources = new Map<string, MediaStreamAudioSourceNode>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly room: Room,
    grid: HTMLElement,
  ) {
    const canvas = document.createElement('canvas');
    canvas.width = WIDTH;
    canvas.height = HEIGHT;
    const context = canvas.getContext('2d')!;
    // Timers rather than animation frames, so that a recording in a background tab keeps going.
    this.timer = setInterval(() => draw(context, grid), 1000 / FPS);
    draw(context, grid);

    this.mixIn();
    const remix = () => this.mixIn();
    room.on(RoomEvent.TrackSubscribed, remix);
    room.on(RoomEvent.TrackUnsubscribed, remix);
    room.on(RoomEvent.LocalTrackPublished, remix);
    room.on(RoomEvent.LocalTrackUnpublished, remix);
    this.unsubscribe = () => {
      room.off(RoomEvent.TrackSubscribed, remix);
      room.off(RoomEvent.TrackUnsubscribed, remix);
      room.off(RoomEvent.LocalTrackPublished, remix);
      room.off(RoomEvent.LocalTrackUnpublished, remix);
    };

    const stream = new MediaStream([...canvas.captureStream(FPS).getVideoTracks(), ...this.mix.stream.getAudioTracks()]);
    const mimeType = ['video/webm;codecs=vp8,opus', 'video/webm'].find((type) => MediaRecorder.isTypeSupported(type));
    this.recorder = new MediaRecorder(stream, { ...(mimeType && { mimeType }), videoBitsPerSecond: 800_000 });
    this.recorder.ondataavailable = (event) => {
      if (event.data.size > 0) this.chunks.push(event.data);
    };
    this.recorder.start(1000);
  }

  /** Connects every audio track now in the room (the local microphone too) to the mix, and drops those gone. */
  private mixIn(): void {
    const tracks = new Map<string, MediaStreamTrack>();
    const add = (publication: TrackPublication | LocalTrackPublication) => {
      const track = publication.track as RemoteTrack | undefined;
      if (track?.kind === Track.Kind.Audio && track.mediaStreamTrack)
        tracks.set(track.mediaStreamTrack.id, track.mediaStreamTrack);
    };
    this.room.localParticipant.audioTrackPublications.forEach(add);
    this.room.remoteParticipants.forEach((p) => p.audioTrackPublications.forEach(add));
    for (const [id, node] of this.sources) {
      if (!tracks.has(id)) {
        node.disconnect();
        this.sources.delete(id);
      }
    }
    for (const [id, track] of tracks) {
      if (this.sources.has(id)) continue;
      const node = this.audio.createMediaStreamSource(new MediaStream([track]));
      node.connect(this.mix);
      this.sources.set(id, node);
    }
  }

  stop(): Promise<Blob> {
    clearInterval(this.timer);
    this.unsubscribe();
    return new Promise((resolve) => {
      this.recorder.onstop = () => {
        this.recorder.stream.getTracks().forEach((t) => t.stop());
        void this.audio.close();
        resolve(new Blob(this.chunks, { type: 'video/webm' }));
      };
      this.recorder.stop();
    });
  }
}

/** Draws the grid's videos side by side, each with its caption, letterboxed in its cell. */
function draw(context: CanvasRenderingContext2D, grid: HTMLElement): void {
  const tiles = [...grid.querySelectorAll<HTMLElement>('figure')];
  context.fillStyle = '#111';
  context.fillRect(0, 0, WIDTH, HEIGHT);
  if (tiles.length === 0) return;
  const columns = Math.ceil(Math.sqrt(tiles.length));
  const rows = Math.ceil(tiles.length / columns);
  const cellW = WIDTH / columns;
  const cellH = HEIGHT / rows;
  tiles.forEach((tile, i) => {
    const x = (i % columns) * cellW;
    const y = Math.floor(i / columns) * cellH;
    const video = tile.querySelector('video');
    if (video && video.videoWidth > 0) {
      const scale = Math.min(cellW / video.videoWidth, cellH / video.videoHeight);
      const w = video.videoWidth * scale;
      const h = video.videoHeight * scale;
      context.drawImage(video, x + (cellW - w) / 2, y + (cellH - h) / 2, w, h);
    }
    context.fillStyle = '#fff';
    context.font = '14px system-ui, sans-serif';
    context.fillText(tile.querySelector('figcaption')?.textContent ?? '', x + 8, y + cellH - 10, cellW - 16);
  });
}

export interface LocalRecorder {
  readonly recording: boolean;
  readonly error: unknown;
  start(): void;
  stop(): Promise<void>;
}

/** A host's local recording, with its announcements: on start and stop, every few seconds, and to each newcomer. */
export function useLocalRecorder({ room, sendData }: RoomContextValue, grid: RefObject<HTMLElement | null>): LocalRecorder {
  const [recording, setRecording] = useState(false);
  const [error, setError] = useState<unknown>();
  const current = useRef<LocalRecording>(undefined);

  useEffect(() => {
    if (!recording) return;
    const announce = (to?: string[]) =>
      void sendData(RECORDING_TOPIC, encodeJson({ recording: true }), to).catch(() => undefined);
    announce();
    const timer = setInterval(() => announce(), REANNOUNCE_MS);
    const welcome = (participant: Participant) => announce([participant.identity]);
    room.on(RoomEvent.ParticipantConnected, welcome);
    return () => {
      clearInterval(timer);
      room.off(RoomEvent.ParticipantConnected, welcome);
    };
  }, [recording, room, sendData]);

  // Leaving the room while recording still saves what was recorded.
  useEffect(
    () => () => {
      const left = current.current;
      current.current = undefined;
      if (left) void left.stop().then((blob) => saveBlob(blob, recordingFileName()));
    },
    [],
  );

  const start = useCallback(() => {
    if (current.current || !grid.current) return;
    setError(undefined);
    try {
      current.current = new LocalRecording(room, grid.current);
      setRecording(true);
    } catch (caught) {
      setError(caught);
    }
  }, [room, grid]);

  const stop = useCallback(async () => {
    const active = current.current;
    if (!active) return;
    current.current = undefined;
    setRecording(false);
    await sendData(RECORDING_TOPIC, encodeJson({ recording: false })).catch(() => undefined);
    saveBlob(await active.stop(), recordingFileName());
  }, [sendData]);

  return { recording, error, start, stop };
}

function recordingFileName(): string {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `meeting-${stamp}.webm`;
}

/**
 * Whether anyone in the room is recording it, as they announce: a
 * participant's "stopped" clears only their own recording, and an
 * announcement not renewed for a while (the recorder's page went away) lapses.
 */
export function useRecordingIndicator(
  { room, onData }: RoomContextValue,
  localRecording: boolean,
): { active: boolean; announcement: string } {
  const { t } = useTranslation();
  // Who records, and until when their last announcement is believed.
  const recorders = useRef(new Map<string, number>());
  const [othersRecording, setOthersRecording] = useState(false);
  const [announcement, setAnnouncement] = useState('');

  useEffect(() => {
    const update = () => setOthersRecording(recorders.current.size > 0);
    const off = onData(RECORDING_TOPIC, (payload, sender) => {
      const message = decodeJson(payload) as { recording?: unknown } | undefined;
      if (!sender || typeof message?.recording !== 'boolean') return;
      const participant = room.remoteParticipants.get(sender);
      if (message.recording) {
        if (!recorders.current.has(sender) && participant)
          setAnnouncement(t('room.recordingStartedBy', { name: participantName(participant, t) }));
        recorders.current.set(sender, Date.now() + BELIEVED_MS);
      } else if (recorders.current.delete(sender)) setAnnouncement(t('room.recordingStopped'));
      update();
    });
    const gone = (participant: Participant) => {
      if (recorders.current.delete(participant.identity)) update();
    };
    room.on(RoomEvent.ParticipantDisconnected, gone);
    const lapse = setInterval(() => {
      const now = Date.now();
      for (const [identity, until] of recorders.current) if (until <= now) recorders.current.delete(identity);
      update();
    }, 1_000);
    return () => {
      off();
      room.off(RoomEvent.ParticipantDisconnected, gone);
      clearInterval(lapse);
    };
  }, [room, onData, t]);

  useEffect(() => {
    setAnnouncement(localRecording ? t('room.recordingStartedYou') : '');
  }, [localRecording, t]);

  return { active: localRecording || othersRecording, announcement };
}
