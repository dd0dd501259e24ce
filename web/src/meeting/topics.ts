/** Data topics of the room. The first two are the server's (lambdas/domain/meeting-rooms.ts, breakouts.ts). */
export const EPOCH_TOPIC = 'meetplane.epoch';
export const BREAKOUTS_TOPIC = 'meetplane.breakouts';
/** Chat: participants' messages to each other, over LiveKit only; the API never sees them. */
export const CHAT_TOPIC = 'meetplane.chat';
/** A host's browser recording the room locally: announced on start, stop, periodically and to late joiners. */
export const RECORDING_TOPIC = 'meetplane.recording';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const encodeJson = (value: unknown) => encoder.encode(JSON.stringify(value));
export function decodeJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(payload)) as unknown;
  } catch {
    return undefined;
  }
}
