import type { ComponentType } from 'react';
import { createContext, useContext } from 'react';
import type { Room } from 'livekit-client';
import type { ApiClient } from '../api/client';
import type { components } from '../api/schema';

/** The join answer that let this participant in (`POST …/join` or a lobby poll that said admitted). */
export type Admitted = Extract<components['schemas']['JoinOutcome'], { status: 'admitted' }>;
/** The meeting as `GET /v1/meetings/{id}` describes it; absent for guests, who may not read it. */
export type Meeting = components['schemas']['Meeting'];
export type MediaRole = Admitted['role'];

/**
 * Optional protection of chat messages beyond LiveKit's transport encryption,
 * supplied by an end-to-end engine: what `encrypt` returns is what is sent,
 * and `decrypt` gets it back on the other side (a message it cannot open is
 * dropped and not shown).
 */
export interface MessageProtection {
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array, senderIdentity: string): Promise<Uint8Array | undefined>;
}

/** A handler of one data topic; the room's own messages (chat, recording, epochs) and any extension's. */
export type DataHandler = (payload: Uint8Array, senderIdentity: string | undefined) => void;

/**
 * What the room gives everything inside it: its own panels and controls, and
 * the extensions that plug into it (the end-to-end engine, breakouts,
 * reporting; see extensions.ts).
 */
export interface RoomContextValue {
  /** The connected LiveKit room. */
  readonly room: Room;
  /**
   * The answer the participant was admitted with (media token, role, encryption mode, epoch and key index); in a
   * breakout, its media and encryption are the breakout's grant.
   */
  readonly admitted: Admitted;
  /** The breakout this room is, when the breakout plan put the participant in one; absent in the main room. */
  readonly breakout?: { readonly id: string; readonly name: string; readonly scope: string };
  /** The API client this participant joined with: the signed-in user's, or a guest's. */
  readonly api: ApiClient;
  readonly meetingId: string;
  readonly meeting: Meeting | undefined;
  readonly role: MediaRole;
  readonly isGuest: boolean;
  /**
   * Installs an epoch's key in the room's key provider at its slot of the key
   * ring; this participant then sends with it. `key` is the raw 32 bytes
   * (derived with HKDF, as rtc-node's HKDF clients do).
   */
  setEpochKey(epoch: number, keyIndex: number, key: ArrayBuffer): Promise<void>;
  /** The newest epoch whose key is installed, if any. */
  readonly currentEpoch: number | undefined;
  /** Sends a data message to everyone in the room (or to the identities given), reliably. */
  sendData(topic: string, payload: Uint8Array, to?: readonly string[]): Promise<void>;
  /** Subscribes to a data topic; returns the unsubscribe function. */
  onData(topic: string, handler: DataHandler): () => void;
  /** Chat protection an end-to-end engine supplied, if any; standard meetings send chat as is (LiveKit's DTLS protects it in transit). */
  readonly messageProtection: MessageProtection | undefined;
}

const RoomContext = createContext<RoomContextValue | undefined>(undefined);
export const RoomContextProvider = RoomContext.Provider;

export function useRoomContext(): RoomContextValue {
  const value = useContext(RoomContext);
  if (!value) throw new Error('useRoomContext outside a meeting room');
  return value;
}

/**
 * A side panel of the room, shown as a tab beside Participants and Chat. The
 * room's own panels are registered in room.tsx; extensions register theirs
 * with `registerRoomPanel` from a module imported by extensions.ts.
 */
export interface RoomPanel {
  readonly id: string;
  /** An i18next key, or a function of the translator. */
  readonly label: string | ((t: (key: string) => string) => string);
  /** Whether this participant sees the panel (e.g. hosts only); always when absent. */
  readonly visible?: (context: RoomContextValue) => boolean;
  /** Rendered inside the room, so it can call useRoomContext(). */
  readonly Component: ComponentType;
  /** Tabs are shown in ascending order; the room's own use 10 (Participants) and 20 (Chat). */
  readonly order?: number;
}

const panels = new Map<string, RoomPanel>();

export function registerRoomPanel(panel: RoomPanel): void {
  panels.set(panel.id, panel);
}

export function roomPanels(): RoomPanel[] {
  return [...panels.values()].sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
}
