import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { RoomContextValue } from './room-context';

/** Someone in the waiting room, as GET …/lobby lists them. */
export interface Waiting {
  readonly ticket: string;
  readonly since: string;
  readonly displayName?: string;
  readonly guest?: true;
}

const POLL_MS = 3_000;

export interface Lobby {
  /** Who is waiting now (hosts only; empty for everyone else). */
  readonly waiting: readonly Waiting[];
  /** The last admit or deny that failed. */
  readonly error: unknown;
  admit(ticket: string): Promise<void>;
  deny(ticket: string): Promise<void>;
}

/** The waiting room as a host sees it: polled while the room is open, with admit and deny. */
export function useLobby({ api, meetingId, role }: Pick<RoomContextValue, 'api' | 'meetingId' | 'role'>): Lobby {
  const [waiting, setWaiting] = useState<readonly Waiting[]>([]);
  const [error, setError] = useState<unknown>();
  const refresh = useRef<() => Promise<void>>(async () => undefined);

  useEffect(() => {
    if (role !== 'host') return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      clearTimeout(timer);
      try {
        const { data } = await api.GET('/v1/meetings/{meetingId}/lobby', { params: { path: { meetingId } } });
        if (!stopped && data) setWaiting(data.items);
      } catch {
        // retried at the next tick
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    refresh.current = poll;
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, meetingId, role]);

  const decide = useCallback(
    async (ticket: string, decision: 'admit' | 'deny') => {
      setError(undefined);
      try {
        const path =
          decision === 'admit' ? '/v1/meetings/{meetingId}/lobby/{ticket}/admit' : '/v1/meetings/{meetingId}/lobby/{ticket}/deny';
        await api.POST(path, { params: { path: { meetingId, ticket } } });
        setWaiting((list) => list.filter((w) => w.ticket !== ticket));
      } catch (caught) {
        setError(caught);
      }
      await refresh.current();
    },
    [api, meetingId],
  );

  return {
    waiting,
    error,
    admit: (ticket) => decide(ticket, 'admit'),
    deny: (ticket) => decide(ticket, 'deny'),
  };
}

export const LobbyContext = createContext<Lobby>({
  waiting: [],
  error: undefined,
  admit: async () => undefined,
  deny: async () => undefined,
});

export const useLobbyContext = () => useContext(LobbyContext);
