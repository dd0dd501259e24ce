import { TIER_FEATURES } from '../../config/tiers.js';
import type { BreakoutPlan, ClusterEffect, RoomEffect } from '../domain/breakouts.js';
import { clusterOfRoom } from '../domain/meeting-rooms.js';
import { roomSettings, type LiveState } from '../domain/live-meeting.js';
import type { MediaSite } from '../media-composition.js';
import type { MediaCluster } from '../../media/livekit/media-clusters.js';
import type { TenantPrincipal } from './auth/tenant-user.js';

/**
 * Carries out what a transition of a meeting's rooms asks of LiveKit, each on
 * the node its room is on: the main room where it is pinned, breakouts where
 * the plan opened them (`plan` is the one that names the rooms). Each kind of
 * effect is done one way only, here.
 */
export async function carryOutRoomEffects(
  site: MediaSite,
  principal: TenantPrincipal,
  meetingId: string,
  live: LiveState,
  plan: BreakoutPlan | undefined,
  effects: readonly RoomEffect[],
): Promise<void> {
  const tenant = principal.tenant;
  for (const effect of effects) {
    const clusterId = clusterOfRoom(live, plan, effect.roomName);
    const node = clusterId ? site.clusters.get(clusterId) : undefined;
    // A room on no node this site knows is gone with it.
    if (!node) continue;
    if (effect.kind === 'create-room') {
      await ensureMeetingRoom(node, principal, effect.roomName);
      await site.webhookLedger.indexRoom(effect.roomName, {
        tenantId: tenant.id,
        meetingId,
        clusterId: node.id,
        breakoutId: effect.breakoutId,
      });
    } else {
      await onCluster(node, effect);
    }
  }
}

/**
 * Creates a room of the meeting on its node unless it exists (LiveKit's
 * CreateRoom answers an existing room as it is): one call, whether LiveKit
 * closed the room meanwhile (everyone left) or not.
 */
export async function ensureMeetingRoom(node: MediaCluster, principal: TenantPrincipal, roomName: string): Promise<void> {
  const tier = principal.tenant.tier;
  await node.ensureRoom({ name: roomName, ...roomSettings(tier, TIER_FEATURES[tier].maxParticipants) });
}

/** Carries out effects that need nothing of the tenant on a node known by itself, e.g. the one a LiveKit webhook came from. */
export async function carryOutOnCluster(node: MediaCluster, effects: readonly ClusterEffect[]): Promise<void> {
  for (const effect of effects) await onCluster(node, effect);
}

/**
 * Carries out effects that need nothing of the tenant (disconnects, deletions,
 * announcements), each on the node its room is on (as `carryOutRoomEffects`).
 */
export async function carryOutClusterEffects(
  site: MediaSite,
  live: LiveState,
  plan: BreakoutPlan | undefined,
  effects: readonly ClusterEffect[],
): Promise<void> {
  for (const effect of effects) {
    const clusterId = clusterOfRoom(live, plan, effect.roomName);
    const node = clusterId ? site.clusters.get(clusterId) : undefined;
    if (node) await onCluster(node, effect);
  }
}

async function onCluster(node: MediaCluster, effect: ClusterEffect): Promise<void> {
  switch (effect.kind) {
    case 'delete-room':
      await node.deleteRoom(effect.roomName);
      break;
    case 'disconnect':
      await node.removeParticipant(effect.roomName, effect.participantId);
      break;
    case 'announce':
      // A room LiveKit already closed (everyone left) has nobody to tell.
      await node.broadcast(effect.roomName, effect.topic, effect.payload, effect.to).catch((error: { status?: number }) => {
        if (error.status !== 404) throw error;
      });
      break;
  }
}
