import { RoomEvent, type Room } from 'livekit-client';
import { useEffect, useReducer } from 'react';

const EVENTS = [
  RoomEvent.ParticipantConnected,
  RoomEvent.ParticipantDisconnected,
  RoomEvent.ParticipantNameChanged,
  RoomEvent.ParticipantAttributesChanged,
  RoomEvent.TrackPublished,
  RoomEvent.TrackUnpublished,
  RoomEvent.TrackSubscribed,
  RoomEvent.TrackUnsubscribed,
  RoomEvent.TrackMuted,
  RoomEvent.TrackUnmuted,
  RoomEvent.LocalTrackPublished,
  RoomEvent.LocalTrackUnpublished,
  RoomEvent.ActiveSpeakersChanged,
  RoomEvent.ConnectionStateChanged,
  RoomEvent.ParticipantEncryptionStatusChanged,
] as const;

/** Re-renders the caller whenever who is in the room or what they publish changes. */
export function useRoomUpdates(room: Room): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    for (const event of EVENTS) room.on(event, bump);
    return () => {
      for (const event of EVENTS) room.off(event, bump);
    };
  }, [room]);
}
