import { RoomEvent } from 'livekit-client';
import { useEffect, useState } from 'react';
import { useRunningEngine } from '../e2ee/register';
import { registerRoomPanel, useRoomContext } from '../room-context';
import { BreakoutPlanner, type Person } from './planner';

/** The host's breakout planner as a panel of the meeting room (the meeting's own host: it keys the breakouts). */
function BreakoutsPanel() {
  const { room, api, meetingId, admitted } = useRoomContext();
  const engine = useRunningEngine();
  const [people, setPeople] = useState<Person[]>([]);
  useEffect(() => {
    const update = () =>
      setPeople((before) => {
        const byId = new Map(before.map((p) => [p.id, p]));
        for (const p of room.remoteParticipants.values())
          if (!p.attributes['meetplane.role']) byId.set(p.identity, { id: p.identity, name: p.name || p.identity });
        return [...byId.values()];
      });
    update();
    room.on(RoomEvent.ParticipantConnected, update).on(RoomEvent.ParticipantNameChanged, update);
    return () => {
      room.off(RoomEvent.ParticipantConnected, update).off(RoomEvent.ParticipantNameChanged, update);
    };
  }, [room]);
  const e2ee = admitted.encryption.mode === 'e2ee';
  return <BreakoutPlanner api={api} meetingId={meetingId} people={people} e2ee={e2ee} {...(engine && { engine })} />;
}

registerRoomPanel({
  id: 'breakouts',
  label: 'breakouts.title',
  visible: (context) => context.meeting?.isHost === true,
  Component: BreakoutsPanel,
  order: 40,
});
