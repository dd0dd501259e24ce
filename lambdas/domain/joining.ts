import type { SiteId } from '../../config/sites.js';
import { forbidden, notFound, tooMany, unavailable } from './errors.js';
import {
  checkMayJoin,
  isModeratorEntry,
  MODERATOR_ATTRIBUTES,
  MODERATOR_NAME,
  MODERATOR_TOPIC,
  type Joiner,
  type JoinRole,
  type LiveState,
  type RoomSettings,
} from './live-meeting.js';
import type { EncryptionMode, Meeting } from './meeting.js';
import { placeMeeting, type MediaNodeState } from './placement.js';

export type MeetingCore = Omit<Meeting, 'title' | 'description' | 'invitees'>;

export interface JoinPorts {
  load(meetingId: string): Promise<{ meeting?: MeetingCore; live: LiveState }>;
  nodes(): Promise<MediaNodeState[]>;
  nodeHealthy(nodeId: string): Promise<boolean>;
  ensureRoom(nodeId: string, roomName: string, settings: RoomSettings): Promise<void>;
  pin(meetingId: string, nodeId: string, roomName: string, replacing?: string): Promise<LiveState>;
  mintToken(
    nodeId: string,
    grant: {
      roomName: string;
      identity: string;
      name?: string;
      attributes?: Readonly<Record<string, string>>;
      canPublish: boolean;
    },
  ): Promise<{ url: string; token: string }>;
  /** A reliable data message to everyone in the meeting's room. */
  announce(nodeId: string, roomName: string, topic: string, payload: unknown): Promise<void>;
  /** Writes a moderator's entry to the tenant's audit log. */
  recordModeratorEntry(meetingId: string, moderator: Joiner): Promise<void>;
  verifyPasscode(passcode: string, hash: string): Promise<boolean>;
  passcodeLocked(meetingId: string, participantId: string): Promise<boolean>;
  countFailedPasscode(meetingId: string, participantId: string): Promise<void>;
  openTicket(meetingId: string, joiner: Joiner, request: JoinRequest): Promise<string>;
  newRoomName(): string;
  /** Standard mode: the epoch's media key (made by KMS under the tenant's key). */
  mediaKey(meetingId: string, epoch: number): Promise<Uint8Array>;
}

export const KEY_RING_SIZE = 16;

export type EncryptionGrant =
  | { readonly mode: 'standard'; readonly epoch: number; readonly keyIndex: number; readonly key: string }
  | { readonly mode: 'e2ee'; readonly epoch: number; readonly keyIndex: number };

export interface JoinSettings {
  readonly homeSite: SiteId;
  readonly allowedSites: readonly SiteId[];
  readonly displayNames: boolean;
  readonly room: RoomSettings;
}

export type JoinOutcome =
  | {
      readonly status: 'admitted';
      readonly media: { readonly url: string; readonly token: string };
      readonly encryption: EncryptionGrant;
      readonly participantId: string;
      readonly role: JoinRole;
    }
  | { readonly status: 'waiting'; readonly ticket: string };

export interface JoinRequest {
  readonly passcode?: string;
  readonly displayName?: string;
  readonly deviceId?: string;
}

/**
 * A join: who may come in, the passcode (constant-time, with a per-user limit),
 * the waiting room, and only then media — placed at the first join, a token
 * for one room under a per-meeting pseudonym. Nobody waiting holds a token.
 */
export async function joinMeeting(
  ports: JoinPorts,
  settings: JoinSettings,
  joiner: Joiner,
  meetingId: string,
  request: JoinRequest,
): Promise<JoinOutcome> {
  const { meeting, live } = await ports.load(meetingId);
  if (!meeting) throw notFound('No such meeting');
  const role = checkMayJoin(meeting, live, joiner);
  if (role === 'participant' && meeting.passcodeHash !== undefined) {
    if (await ports.passcodeLocked(meetingId, joiner.participantId))
      throw tooMany('too many wrong passcodes; try again later', 'passcode');
    const ok = request.passcode !== undefined && (await ports.verifyPasscode(request.passcode, meeting.passcodeHash));
    if (!ok) {
      await ports.countFailedPasscode(meetingId, joiner.participantId);
      throw forbidden(request.passcode === undefined ? 'this meeting needs a passcode' : 'the passcode is wrong');
    }
  }
  if (role === 'participant' && meeting.waitingRoom) {
    return { status: 'waiting', ticket: await ports.openTicket(meetingId, joiner, request) };
  }
  return admit(ports, settings, meeting, live, joiner, role, request.displayName);
}

/**
 * Media for someone allowed in: the pinned node while it is healthy, else a
 * new placement. A moderator (an admin the meeting did not invite) comes in
 * only visibly: audited before any token exists, named and marked as
 * moderator to everyone, and announced in the room; end-to-end meetings admit
 * nobody they did not invite, so no such token for them exists.
 */
export async function admit(
  ports: JoinPorts,
  settings: JoinSettings,
  meeting: MeetingCore,
  live: LiveState,
  joiner: Joiner,
  role: JoinRole,
  displayName?: string,
): Promise<JoinOutcome & { status: 'admitted'; nodeId: string; roomName: string }> {
  const moderator = isModeratorEntry(meeting, joiner);
  if (moderator) {
    if (meeting.encryption === 'e2ee')
      throw forbidden('an end-to-end meeting admits only its host and invitees; nobody enters it as a moderator');
    await ports.recordModeratorEntry(meeting.id, joiner);
  }
  let state = live;
  if (!state.nodeId || !state.roomName || !(await ports.nodeHealthy(state.nodeId))) {
    const placement = placeMeeting(settings.homeSite, settings.allowedSites, await ports.nodes());
    if (!placement.placed) throw unavailable('no media node of an allowed site is available');
    const roomName = ports.newRoomName();
    await ports.ensureRoom(placement.nodeId, roomName, settings.room);
    state = await ports.pin(meeting.id, placement.nodeId, roomName, state.nodeId);
  }
  const media = await ports.mintToken(state.nodeId!, {
    roomName: state.roomName!,
    identity: joiner.participantId,
    ...(settings.displayNames && displayName !== undefined && { name: displayName }),
    ...(moderator && { name: MODERATOR_NAME, attributes: MODERATOR_ATTRIBUTES }),
    canPublish: true,
  });
  if (moderator) {
    await ports.announce(state.nodeId!, state.roomName!, MODERATOR_TOPIC, {
      type: 'moderator-joined',
      participantId: joiner.participantId,
      name: MODERATOR_NAME,
    });
  }
  return {
    status: 'admitted',
    media,
    encryption: await encryptionGrant(ports, meeting.id, meeting.encryption, state.epoch),
    participantId: joiner.participantId,
    role,
    nodeId: state.nodeId!,
    roomName: state.roomName!,
  };
}

/**
 * What a participant needs to encrypt and decrypt frames: in standard mode the
 * epoch's key itself; in end-to-end mode only the epoch and its slot in the key
 * ring, the key coming from the host's client as an envelope.
 */
export async function encryptionGrant(
  ports: Pick<JoinPorts, 'mediaKey'>,
  meetingId: string,
  mode: EncryptionMode,
  epoch: number,
): Promise<EncryptionGrant> {
  const keyIndex = epoch % KEY_RING_SIZE;
  if (mode === 'e2ee') return { mode, epoch, keyIndex };
  const key = await ports.mediaKey(meetingId, epoch);
  return { mode, epoch, keyIndex, key: Buffer.from(key).toString('base64') };
}
