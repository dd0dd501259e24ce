import { Track, type Room } from 'livekit-client';

/** What one remote track's receiver reports (`inbound-rtp` of WebRTC's statistics). */
export interface RemoteTrackStats {
  readonly participant: string;
  readonly kind: 'audio' | 'video';
  readonly source: string;
  readonly framesDecoded?: number;
  readonly audioLevel?: number;
  readonly totalAudioEnergy?: number;
  readonly bytesReceived?: number;
}

declare global {
  interface Window {
    /** Diagnostics of the open meeting room, for support and automated checks (read-only). */
    meetplane?: { remoteMediaStats(): Promise<RemoteTrackStats[]>; connected(): boolean };
  }
}

/**
 * Publishes read-only diagnostics of the room on `window.meetplane`: the
 * receive statistics of every subscribed remote track, as the browser's
 * WebRTC stack reports them. Returns the function that withdraws them.
 */
export function exposeMediaStats(room: Room): () => void {
  const diagnostics = {
    connected: () => room.state === 'connected',
    async remoteMediaStats(): Promise<RemoteTrackStats[]> {
      const out: RemoteTrackStats[] = [];
      for (const participant of room.remoteParticipants.values()) {
        for (const publication of participant.trackPublications.values()) {
          const track = publication.track;
          if (!track) continue;
          const report = await track.getRTCStatsReport();
          report?.forEach((entry: Record<string, unknown>) => {
            if (entry.type !== 'inbound-rtp') return;
            out.push({
              participant: participant.identity,
              kind: track.kind === Track.Kind.Audio ? 'audio' : 'video',
              source: publication.source,
              framesDecoded: entry.framesDecoded as number | undefined,
              audioLevel: entry.audioLevel as number | undefined,
              totalAudioEnergy: entry.totalAudioEnergy as number | undefined,
              bytesReceived: entry.bytesReceived as number | undefined,
            });
          });
        }
      }
      return out;
    },
  };
  window.meetplane = diagnostics;
  return () => {
    if (window.meetplane === diagnostics) delete window.meetplane;
  };
}
