import type { SiteId } from '../../config/sites.js';
import { forbidden, notFound, unavailable } from './errors.js';
import { checkMayBeAdmitted, mediaRole, newAdmission, type Admission } from './admission.js';
import { GUEST_ATTRIBUTES } from './guests.js';
import {
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
import { placementOrder, type MediaClusterState } from './placement.js';

export type MeetingCore = Omit<Meeting, 'title' | 'description' | 'invitees'>;

export interface JoinPorts {
  /** The meeting, its live state and, given a participant, their admission. */
  load(meetingId: string, participantId?: string): Promise<{ meeting?: MeetingCore; live: LiveState; admission?: Admission }>;
  clusters(): Promise<MediaClusterState[]>;
  clusterHealthy(clusterId: string): Promise<boolean>;
  /**
   * Creates the room on the cluster; 'unavailable' when the cluster did not
   * answer in time or failed (it is then taken as unhealthy for a while).
   */
  createRoom(clusterId: string, roomName: string, settings: RoomSettings): Promise<'created' | 'unavailable'>;
  pin(meetingId: string, clusterId: string, roomName: string, replacing?: string): Promise<LiveState>;
  mintToken(
    clusterId: string,
    grant: {
      roomName: string;
      identity: string;
      name?: string;
      attributes?: Readonly<Record<string, string>>;
      canPublish: boolean;
    },
  ): Promise<{ url: string; token: string }>;
  /** A reliable data message to everyone in the meeting's room. */
  announce(clusterId: string, roomName: string, topic: string, payload: unknown): Promise<void>;
  /** Writes a moderator's entry to the tenant's audit log. */
  recordModeratorEntry(meetingId: string, moderator: Joiner): Promise<void>;
  verifyPasscode(passcode: string, hash: string): Promise<boolean>;
  /** Reserves one attempt of the user's limit before a passcode is checked; refuses (too-many) past it. */
  reservePasscodeAttempt(meetingId: string, participantId: string): Promise<void>;
  clearPasscodeAttempts(meetingId: string, participantId: string): Promise<void>;
  recordAdmission(meetingId: string, admission: Admission): Promise<void>;
  now(): Date;
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
 * A join: who may come in, the passcode (constant-time, each attempt reserved
 * against a per-user limit before it is checked), the waiting room, and only
 * then an admission and media — placed at the first join, a token for one room
 * under a per-meeting pseudonym. Nobody waiting holds a token. Someone already
 * admitted comes back without passing it all again (a lock does not shut them out).
 * A guest always waits for a host, whether or not the meeting has a waiting room.
 */
export async function joinMeeting(
  ports: JoinPorts,
  settings: JoinSettings,
  joiner: Joiner,
  meetingId: string,
  request: JoinRequest,
): Promise<JoinOutcome> {
  const { meeting, live, admission } = await ports.load(meetingId, joiner.participantId);
  if (!meeting) throw notFound('No such meeting');
  if (admission)
    return admit(ports, settings, meeting, live, joiner, mediaRole(meeting, live, joiner, admission), request.displayName);
  const role = checkMayBeAdmitted(meeting, live, joiner);
  if (role === 'participant' && meeting.passcodeHash !== undefined) {
    if (request.passcode === undefined) throw forbidden('this meeting needs a passcode');
    await ports.reservePasscodeAttempt(meetingId, joiner.participantId);
    if (!(await ports.verifyPasscode(request.passcode, meeting.passcodeHash))) throw forbidden('the passcode is wrong');
    await ports.clearPasscodeAttempts(meetingId, joiner.participantId);
  }
  if (role === 'participant' && (meeting.waitingRoom || joiner.guest)) {
    return { status: 'waiting', ticket: await ports.openTicket(meetingId, joiner, request) };
  }
  if (role === 'participant')
    await ports.recordAdmission(meetingId, newAdmission(joiner.participantId, live, 'join', ports.now()));
  return admit(ports, settings, meeting, live, joiner, role, request.displayName);
}

/**
 * Media for someone allowed in: the pinned node while it is healthy, else a
 * new placement. A moderator (an admin the meeting did not invite) comes in
 * only visibly: audited before any token exists, named and marked as
 * moderator to everyone, and announced in the room; end-to-end meetings admit
 * nobody they did not invite, so no such token for them exists. A guest is
 * marked as one to everyone (`meetplane.role=guest`), and named as they asked
 * only where the tenant shows names, like everyone else.
 */
export async function admit(
  ports: JoinPorts,
  settings: JoinSettings,
  meeting: MeetingCore,
  live: LiveState,
  joiner: Joiner,
  role: JoinRole,
  displayName?: string,
): Promise<JoinOutcome & { status: 'admitted'; clusterId: string; roomName: string }> {
  const moderator = isModeratorEntry(meeting, joiner);
  if (moderator) {
    if (meeting.encryption === 'e2ee')
      throw forbidden('an end-to-end meeting admits only its host and invitees; nobody enters it as a moderator');
    await ports.recordModeratorEntry(meeting.id, joiner);
  }
  let state = live;
  if (!state.clusterId || !state.roomName || !(await ports.clusterHealthy(state.clusterId))) {
    // A cluster whose room creation does not answer in time is passed over within this same request, in the
    // tenant's order of sites; only a room that exists is pinned, so nothing is half-written.
    let pinned: LiveState | undefined;
    for (const candidate of placementOrder(settings.homeSite, settings.allowedSites, await ports.clusters())) {
      const roomName = ports.newRoomName();
      if ((await ports.createRoom(candidate.clusterId, roomName, settings.room)) === 'unavailable') continue;
      pinned = await ports.pin(meeting.id, candidate.clusterId, roomName, state.clusterId);
      break;
    }
    if (!pinned) throw unavailable('no media cluster of an allowed site is available');
    state = pinned;
  }
  const media = await ports.mintToken(state.clusterId!, {
    roomName: state.roomName!,
    identity: joiner.participantId,
    ...(settings.displayNames && displayName !== undefined && { name: displayName }),
    ...(joiner.guest && { attributes: GUEST_ATTRIBUTES }),
    ...(moderator && { name: MODERATOR_NAME, attributes: MODERATOR_ATTRIBUTES }),
    canPublish: true,
  });
  if (moderator) {
    await ports.announce(state.clusterId!, state.roomName!, MODERATOR_TOPIC, {
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
    clusterId: state.clusterId!,
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
